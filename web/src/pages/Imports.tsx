import { DownloadIcon } from '@radix-ui/react-icons';
import { ComingSoon } from '../components/ComingSoon';

export default function Imports() {
  return (
    <ComingSoon
      title="Imports"
      description="Bring supplier products into your store and follow every import from start to finish."
      feature="the import pipeline"
      icon={DownloadIcon}
      points={[
        'Import a single product from its AliExpress, CJ Dropshipping or Spocket link.',
        'Import up to 50 products at once in a bulk import.',
        'Watch progress live, then cancel or retry jobs.',
        'Review the history of every import.',
      ]}
    />
  );
}
