import {
  ArchiveIcon,
  CardStackIcon,
  CodeIcon,
  CubeIcon,
  DashboardIcon,
  DownloadIcon,
  EyeOpenIcon,
  GearIcon,
  Link2Icon,
  ListBulletIcon,
} from '@radix-ui/react-icons';
import type { ComponentType } from 'react';

export interface NavItem {
  to: string;
  label: string;
  icon: ComponentType;
}

export const NAV_SECTIONS: { label: string; items: NavItem[] }[] = [
  { label: 'Overview', items: [{ to: '/', label: 'Dashboard', icon: DashboardIcon }] },
  {
    label: 'Catalogue',
    items: [
      { to: '/import-list', label: 'Import list', icon: ListBulletIcon },
      { to: '/imports', label: 'Imports', icon: DownloadIcon },
      { to: '/products', label: 'Products', icon: CubeIcon },
      { to: '/suppliers', label: 'Suppliers', icon: ArchiveIcon },
    ],
  },
  {
    label: 'Stores',
    items: [
      { to: '/connections', label: 'Connections', icon: Link2Icon },
      { to: '/price-watch', label: 'Price Watch', icon: EyeOpenIcon },
    ],
  },
  {
    label: 'Account',
    items: [
      { to: '/billing', label: 'Billing', icon: CardStackIcon },
      { to: '/api-keys', label: 'API Keys', icon: CodeIcon },
      { to: '/settings', label: 'Settings', icon: GearIcon },
    ],
  },
];
