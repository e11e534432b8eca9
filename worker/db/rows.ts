/** `progressPercent` → `progress_percent`: a drizzle property as its SQL column name. */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/**
 * A row of a drizzle table (`typeof table.$inferSelect`) as Postgres's `row_to_json`
 * returns it: snake_case column names and timestamps as ISO text. (Numeric columns are
 * JSON numbers there but strings in drizzle, so tables with numerics need their own type.)
 */
export type RowJson<Row> = {
  [K in keyof Row & string as SnakeCase<K>]: Row[K] extends Date ? string : Date extends Row[K] ? Exclude<Row[K], Date> | string : Row[K];
};
