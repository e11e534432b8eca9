import { CardStackIcon } from '@radix-ui/react-icons';
import { ComingSoon } from '../components/ComingSoon';

export default function Billing() {
  return (
    <ComingSoon
      title="Billing"
      description="Your plan, subscription and usage."
      feature="billing"
      icon={CardStackIcon}
      points={[
        'Compare the Free, Pro and Enterprise plans.',
        'Upgrade, and manage your subscription and invoices.',
        'Follow your monthly import and price-watch usage.',
      ]}
    />
  );
}
