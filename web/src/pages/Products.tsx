import { CubeIcon } from '@radix-ui/react-icons';
import { ComingSoon } from '../components/ComingSoon';

export default function Products() {
  return (
    <ComingSoon
      title="Products"
      description="Search supplier catalogues and preview products before you import them."
      feature="product search"
      icon={CubeIcon}
      points={[
        'Search AliExpress, CJ Dropshipping and Spocket from one place.',
        'Preview titles, images, variants, prices and shipping.',
        'Send a product to import straight from its preview.',
      ]}
    />
  );
}
