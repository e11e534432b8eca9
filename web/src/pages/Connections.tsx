import { Link2Icon } from '@radix-ui/react-icons';
import { ComingSoon } from '../components/ComingSoon';

export default function Connections() {
  return (
    <ComingSoon
      title="Connections"
      description="Connect your stores and choose where imported products go."
      feature="store connections"
      icon={Link2Icon}
      points={[
        'Connect Shopify and WooCommerce stores.',
        'Test a connection before you import.',
        'Choose the default store for new imports, or disconnect a store.',
      ]}
    />
  );
}
