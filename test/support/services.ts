import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    natsUrl: string;
  }
}

export const natsUrl = (): string => inject('natsUrl');
export const adminDatabaseUrl = (): string => inject('adminDatabaseUrl');
export const templateDatabase = (): string => inject('templateDatabase');
