import { config, type ConfigEnv } from '../env';
import { NotFound } from '../shared/domain-errors';
import { demoImageSvg } from '../suppliers/demo';

/**
 * A demo catalogue picture by name (`GET /demo/images/{name}`), served only while the
 * demo catalogue is on. Only names the catalogue itself produces exist: the label is
 * looked up among its own topics and option values, never echoed from the request.
 */
export function demoPicture(env: ConfigEnv, name: string): string {
  const svg = config(env).demoCatalogue ? demoImageSvg(name) : null;
  if (!svg) throw new NotFound('Not Found');
  return svg;
}
