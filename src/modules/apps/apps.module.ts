import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppEntity } from './entities/app.entity';
import { AppsRepository } from './apps.repository';
import { AppsService } from './apps.service';

@Module({
  imports: [TypeOrmModule.forFeature([AppEntity])],
  providers: [AppsRepository, AppsService],
  exports: [AppsService],
})
export class AppsModule {}
