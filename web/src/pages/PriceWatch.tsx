import { EyeOpenIcon } from '@radix-ui/react-icons';
import { ComingSoon } from '../components/ComingSoon';

export default function PriceWatch() {
  return (
    <ComingSoon
      title="Price Watch"
      description="Keep an eye on supplier prices and get told when they change."
      feature="price monitoring"
      icon={EyeOpenIcon}
      points={[
        'Watch the supplier price of any imported product.',
        'Set a change threshold per product and see its price history.',
        'Sync prices on demand, on top of the regular checks.',
      ]}
    />
  );
}
