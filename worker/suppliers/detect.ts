// TEMPORARY merge shim, delete with the issue-12 merge: only jobs/import-consumer.ts and
// services/price-sync.ts (being split by another engineer) still import this path.
export { detectProductUrl } from '../shared/detect';
export { PLATFORMS_FOR } from '../shared/sources';
