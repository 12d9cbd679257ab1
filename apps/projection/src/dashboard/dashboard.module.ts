import { Logger, Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets.js';
import { DashboardController } from './dashboard.controller.js';

/**
 * The live web dashboard (issue 5): a static page whose browser modules (`client/`, compiled by
 * the same tsc run as the service) read the projection's API and follow the pool's event stream.
 */
@Module({
  controllers: [DashboardController],
  providers: [
    {
      provide: DashboardAssets,
      useFactory: async () => {
        const assets = await DashboardAssets.load();
        if (!assets.hasClient) {
          new Logger('Dashboard').warn(
            'dashboard client modules not found beside the service: run `npm run build`',
          );
        }
        return assets;
      },
    },
  ],
})
export class DashboardModule {}
