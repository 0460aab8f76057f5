import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from './entities/user.entity';

@Injectable()
export class UsersRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(UserEntity);
  }

  findById(id: string, m?: EntityManager) {
    return this.repo(m).findOneBy({ id });
  }

  findByEmail(email: string, m?: EntityManager) {
    return this.repo(m).findOneBy({ email });
  }

  /** Inserts the user unless the email exists (a concurrent first login); returns whichever row won. */
  async insertOrGet(email: string, name: string, m: EntityManager): Promise<{ user: UserEntity; created: boolean }> {
    const rows: UserEntity[] = await m.query(
      `INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, name],
    );
    const user = await this.repo(m).findOneByOrFail({ email });
    return { user, created: rows.length > 0 };
  }

  async updateName(id: string, name: string, m: EntityManager): Promise<UserEntity> {
    await this.repo(m).update({ id }, { name, updatedAt: new Date() });
    return this.repo(m).findOneByOrFail({ id });
  }
}
