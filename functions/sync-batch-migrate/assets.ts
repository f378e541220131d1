/** The migration files this function applies (shared/migrations.ts); the build ships exactly these. */
export const assets = ['sync-batch-migrate/migrations/*.sql'];
