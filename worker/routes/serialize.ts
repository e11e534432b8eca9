import type { User } from '../env';
import { isoZ } from '../lib/time';

export const userOut = (u: User) => ({
  id: u.id,
  email: u.email,
  is_active: u.isActive,
  plan: u.plan,
  created_at: isoZ(u.createdAt)!,
});
