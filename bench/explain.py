"""Query plans of the statements the server runs most, on PostgreSQL with the demo data and
20,000 more households (issue #20, item 6): each statement is planned as the server's
prepared statements are (a generic plan, since the server binds every value), and the script
reports every sequential scan of a table with more than --min-rows rows, and every statement that
no index could serve (planned again with `enable_seqscan = off`: a sequential scan that stays is
one no index can replace, which matters once the table grows past today's demo size).

    python3 bench/explain.py --bin target/release/samenhier \
        [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--households 20000] [--keep]

It creates a database of its own (samenhier_explain_<pid>), seeds it with the binary
(`seed --demo`, then `seed --bulk almere`), runs ANALYZE, and for each statement below runs
`PREPARE` + `EXPLAIN (FORMAT JSON) EXECUTE` with `plan_cache_mode = force_generic_plan` (so the
plan is the one any values would get). The statements are written here as the services build
them (each names the function it mirrors); when a query in the code changes, change it here.
Exit status 1 when a scan of a large table is found, so it can run in CI or by hand.
"""
import argparse
import json
import os
import re
import secrets
import subprocess
import sys

# (name, the code it mirrors, SQL with $n parameters, parameter types)
STATEMENTS = [
    ("newcomers page of a city", "services::newcomers::list + page::fetch",
     "SELECT * FROM newcomers WHERE city_slug = $1 AND status = $2 AND id > $3 ORDER BY id LIMIT 21",
     ["varchar", "varchar", "varchar"]),
    ("groups page of a city", "services::groups::list + page::fetch",
     "SELECT * FROM welcome_groups WHERE city_slug = $1 AND id > $2 ORDER BY id LIMIT 21", ["varchar", "varchar"]),
    ("members of a page of groups", "api::loaders::MembersByGroup",
     "SELECT * FROM group_members WHERE group_id IN ($1, $2, $3) ORDER BY id", ["varchar"] * 3),
    ("live match of households", "api::loaders::LiveMatch (by household)",
     "SELECT * FROM matches WHERE newcomer_id IN ($1, $2) AND status IN ('PROPOSED', 'ACTIVE')", ["varchar"] * 2),
    ("live match of groups", "api::loaders::LiveMatch (by group)",
     "SELECT * FROM matches WHERE group_id IN ($1, $2) AND status IN ('PROPOSED', 'ACTIVE')", ["varchar"] * 2),
    ("candidates: waiting households without a live match", "services::candidates",
     "SELECT n.* FROM newcomers n WHERE n.city_slug = $1 AND n.status = 'WAITING' AND NOT EXISTS "
     "(SELECT 1 FROM matches m WHERE m.newcomer_id = n.id AND m.status IN ('PROPOSED', 'ACTIVE')) ORDER BY n.id",
     ["varchar"]),
    ("candidates: ready groups without a live match", "services::candidates",
     "SELECT g.* FROM welcome_groups g WHERE g.city_slug = $1 AND g.status = 'READY' AND NOT EXISTS "
     "(SELECT 1 FROM matches m WHERE m.group_id = g.id AND m.status IN ('PROPOSED', 'ACTIVE')) ORDER BY g.id",
     ["varchar"]),
    ("matches of a run", "api::matching (MatchingRun.matches)",
     "SELECT * FROM matches WHERE run_id = $1 ORDER BY id", ["varchar"]),
    ("export page: newcomers of a city", "services::export (keyset by id within a city)",
     "SELECT * FROM newcomers WHERE city_slug = $1 AND id > $2 ORDER BY id LIMIT 500", ["varchar", "varchar"]),
    ("export page: matches of a city", "services::export",
     "SELECT * FROM matches WHERE city_slug = $1 AND id > $2 ORDER BY id LIMIT 500", ["varchar", "varchar"]),
    ("export page: activities of a city", "services::export",
     "SELECT * FROM activity_logs WHERE city_slug = $1 AND id > $2 ORDER BY id LIMIT 500", ["varchar", "varchar"]),
    ("export page: check-ins of a city", "services::export",
     "SELECT * FROM check_ins WHERE city_slug = $1 AND id > $2 ORDER BY id LIMIT 500", ["varchar", "varchar"]),
    ("audit log of a city, newest first", "services::audit::list",
     "SELECT * FROM audit_log WHERE city_slug = $1 AND id < $2 ORDER BY id DESC LIMIT 21", ["varchar", "varchar"]),
    ("audit log of a user", "services::audit::list",
     "SELECT * FROM audit_log WHERE actor_user_id = $1 ORDER BY id DESC LIMIT 21", ["varchar"]),
    ("audit log of a record", "services::privacy::personal_data_report",
     "SELECT * FROM audit_log WHERE entity_id IN ($1, $2) ORDER BY id", ["varchar"] * 2),
    ("contact reads of a person", "services::audit::list_contact_reads",
     "SELECT * FROM contact_reads WHERE entity_id = $1 ORDER BY id DESC LIMIT 21", ["varchar"]),
    ("contact reads: the day's row of a reader and record", "services::audit::contact_reads (upsert target)",
     "SELECT * FROM contact_reads WHERE day = $1 AND actor_user_id = $2 AND entity_type = $3 AND entity_id = $4",
     ["date", "varchar", "varchar", "varchar"]),
    ("data keys of a page of people", "services::sealed::Vault::keys",
     "SELECT * FROM person_keys WHERE subject_id IN ($1, $2, $3)", ["varchar"] * 3),
    ("activities of a match", "services::year::activities",
     "SELECT * FROM activity_logs WHERE match_id = $1 ORDER BY id LIMIT 21", ["varchar"]),
    ("check-ins of a match", "services::year::check_ins",
     "SELECT * FROM check_ins WHERE match_id = $1 ORDER BY month", ["varchar"]),
    ("active matches of a city (check-ins due)", "services::year::check_ins_due",
     "SELECT * FROM matches WHERE city_slug = $1 AND status = 'ACTIVE' ORDER BY start_date", ["varchar"]),
    ("households' matches (retention)", "services::privacy::retention_candidates",
     "SELECT * FROM matches WHERE newcomer_id IN ($1, $2)", ["varchar"] * 2),
    ("idempotent registration", "services::newcomers::register",
     "SELECT * FROM newcomers WHERE idempotency_key = $1", ["varchar"]),
]


def psql(url, sql, *extra):
    p = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql, *extra], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"psql: {p.stderr.strip()}")
    return p.stdout


def scans(plan, out):
    """Every (node type, relation, index, estimated rows) in a JSON plan tree."""
    out.append((plan.get("Node Type"), plan.get("Relation Name"), plan.get("Index Name"), plan.get("Plan Rows", 0)))
    for child in plan.get("Plans", []):
        scans(child, out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/samenhier")
    ap.add_argument("--admin-url", default=os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--groups", type=int, default=2000)
    ap.add_argument("--min-rows", type=int, default=2000, help="report sequential scans of tables larger than this")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()

    name = f"samenhier_explain_{os.getpid()}"
    url = re.sub(r"/[^/]*$", f"/{name}", args.admin_url)
    psql(args.admin_url, f"CREATE DATABASE {name}")
    try:
        env = dict(os.environ, DATABASE_URL=url, SAMENHIER_JWT_SECRET=secrets.token_urlsafe(48),
                   SAMENHIER_EXPORT_KEY=secrets.token_urlsafe(48), SAMENHIER_DATA_KEY=secrets.token_urlsafe(48),
                   RUST_LOG="warn")
        for seed in (["seed", "--demo"], ["seed", "--bulk", "almere", "--newcomers", str(args.households),
                                          "--groups", str(args.groups)]):
            subprocess.run([args.bin, *seed], env=env, check=True, stdout=subprocess.DEVNULL)
        psql(url, "ANALYZE")
        rows = {r.split("|")[0]: int(float(r.split("|")[1])) for r in psql(
            url, "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        ).split()}
        print("rows: " + ", ".join(f"{t} {n}" for t, n in sorted(rows.items()) if n > 0))
        findings = []

        def plan_of(sql, types, extra=""):
            nulls = ", ".join("NULL" for _ in types)
            script = (f"SET plan_cache_mode = force_generic_plan; {extra} PREPARE q({', '.join(types)}) AS {sql}; "
                      f"EXPLAIN (FORMAT JSON) EXECUTE q({nulls});")
            return json.loads(psql(url, script))[0]["Plan"]

        for label, mirrors, sql, types in STATEMENTS:
            plan = plan_of(sql, types)
            nodes = scans(plan, [])
            used = sorted({f"{n} on {r}" + (f" ({i})" if i else "") for n, r, i, _ in nodes if r})
            # A sequential scan of a large table for a small part of it is a finding (one that
            # reads most of the table, like a round's candidates, is the right plan). One of a
            # small table is the planner's right choice today; whether an index would serve it
            # once the table grows is asked by planning again with sequential scans discouraged.
            big_seq = [r for n, r, _, est in nodes
                       if n == "Seq Scan" and rows.get(r, 0) > args.min_rows and est < 0.1 * rows.get(r, 0)]
            no_index = sorted({r for n, r, _, _ in scans(plan_of(sql, types, "SET enable_seqscan = off;"), [])
                               if n == "Seq Scan"})
            if big_seq:
                mark = "SEQ SCAN of " + ", ".join(big_seq)
            elif no_index:
                mark = "NO INDEX for " + ", ".join(no_index)
            else:
                mark = "ok"
            print(f"{mark:>30}  {label}  [{mirrors}]\n{'':>32}{'; '.join(used)}  (cost {plan['Total Cost']})")
            if big_seq or no_index:
                findings.append(label)
        print(f"{len(STATEMENTS) - len(findings)} passed, {len(findings)} failed")
        return 1 if findings else 0
    finally:
        if not args.keep:
            psql(args.admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
