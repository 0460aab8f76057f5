import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserEntity } from './entities/user.entity';
import { UsersRepository } from './users.repository';

/** Display name for a new user: the part of the email before `@`, first character upper-cased (§2.1). */
export function defaultNameFor(email: string): string {
  const local = email.split('@')[0];
  const first = String.fromCodePoint(local.codePointAt(0) ?? 0);
  return local.length === 0 ? email : first.toUpperCase() + local.slice(first.length);
}

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  findById(id: string, m?: EntityManager): Promise<UserEntity | null> {
    return this.users.findById(id, m);
  }

  findByEmail(email: string, m?: EntityManager): Promise<UserEntity | null> {
    return this.users.findByEmail(email, m);
  }

  findOrCreateByEmail(email: string, m: EntityManager): Promise<{ user: UserEntity; created: boolean }> {
    return this.users.insertOrGet(email, defaultNameFor(email), m);
  }

  rename(id: string, name: string, m: EntityManager): Promise<UserEntity> {
    return this.users.updateName(id, name, m);
  }
}
