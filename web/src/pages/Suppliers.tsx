import { ArchiveIcon } from '@radix-ui/react-icons';
import { ComingSoon } from '../components/ComingSoon';

export default function Suppliers() {
  return (
    <ComingSoon
      title="Suppliers"
      description="Connect your supplier platform accounts so SourcePilot can fetch live product data."
      feature="supplier accounts"
      icon={ArchiveIcon}
      points={[
        'Add your AliExpress, CJ Dropshipping and Spocket accounts.',
        'Keep credentials encrypted; only a masked hint is ever shown.',
        'Update or remove an account at any time.',
      ]}
    />
  );
}
