/** The migration sets initialize.ts applies (shared/migrations.ts); the build ships exactly these. */
export const assets = [
  'etl-db-initializer/source/migrations/*.sql',
  'etl-db-initializer/target/migrations/*.sql',
];
