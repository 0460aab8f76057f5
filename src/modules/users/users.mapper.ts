import { toIso } from '../../common/http/timestamp';
import { UserEntity } from './entities/user.entity';

export interface UserResponse {
  id: string;
  email: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export const toUserResponse = (u: UserEntity): UserResponse => ({
  id: u.id,
  email: u.email,
  name: u.name,
  created_at: toIso(u.createdAt),
  updated_at: toIso(u.updatedAt),
});
