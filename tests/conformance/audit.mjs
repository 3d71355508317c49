// Runs graphql-http's server audit against URL (default http://127.0.0.1:18200/graphql) and
// fails on any error or warning: every MUST and SHOULD of the GraphQL-over-HTTP spec.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:18200/graphql';
const results = await auditServer({ url });
let ok = 0, warn = 0, err = 0;
for (const r of results) {
  if (r.status === 'ok') ok += 1;
  else if (r.status === 'warn') { warn += 1; console.log(`WARN  ${r.name}: ${r.reason}`); }
  else { err += 1; console.log(`ERROR ${r.name}: ${r.reason}`); }
}
console.log(`graphql-http audit: ${ok} passed, ${err + warn} failed (${err} errors, ${warn} warnings)`);
process.exit(err + warn === 0 ? 0 : 1);
