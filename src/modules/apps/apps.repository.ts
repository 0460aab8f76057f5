import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AppEntity } from './entities/app.entity';

@Injectable()
export class AppsRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(AppEntity);
  }

  findActive(id: string, m?: EntityManager): Promise<AppEntity | null> {
    return this.repo(m).findOneBy({ id, deletedAt: IsNull() });
  }
}
