//! The command line: `serve`, `migrate`, `user add`, `schema`, `seed --demo`.

use std::io::{BufRead, IsTerminal, Write};
use std::net::TcpListener;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use domain::error::AppError;
use server::app::{Application, ServeOptions};
use server::telemetry;
use services::config::Settings;
use services::users::{self, NewUser};
use services::{db, demo};

#[derive(Parser, Debug)]
#[command(name = "samenhier", version, about = "Matching newcomers with Welcome Groups: the GraphQL back end")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (applies pending migrations first).
    Serve {
        /// Seed synthetic demo data (once), print demo logins, enable GraphiQL and introspection.
        #[arg(long)]
        demo: bool,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the live SQLite database to FILE (a new file, mode 0600);
    /// the server may keep running. For PostgreSQL use pg_dump.
    Backup {
        /// Where to write the copy; must not exist yet.
        file: std::path::PathBuf,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Scoring scripts.
    Script {
        #[command(subcommand)]
        command: ScriptCommand,
    },
    /// Solve an assignment problem from a file: first line `ROWS COLS`, then ROWS lines of
    /// COLS scores (`x` = forbidden). Prints {"pairs", "total", "solve_ms"} as JSON.
    Solve {
        /// The matrix file.
        file: std::path::PathBuf,
        /// MAX_MATCHES_THEN_SCORE (default) or MAX_TOTAL_SCORE.
        #[arg(long, default_value = "MAX_MATCHES_THEN_SCORE")]
        objective: String,
    },
    /// Retention: erase the personal data of everyone past the retention period.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Anonymised exports.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Notifications.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Seed the database.
    Seed {
        /// Seed the synthetic demo data and print the demo users' new passwords.
        #[arg(long)]
        demo: bool,
        /// Add bulk synthetic data to this city (for benchmarks): --newcomers WAITING
        /// households and --groups READY groups.
        #[arg(long, value_name = "CITY")]
        bulk: Option<String>,
        #[arg(long, default_value_t = 1000)]
        newcomers: usize,
        #[arg(long, default_value_t = 1000)]
        groups: usize,
        /// Random seed of the bulk data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user; the password is read as one line from standard input.
    Add(UserAdd),
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Search the least generalised recoding of the quasi-identifiers that keeps every class of
    /// the joined datasets at k or more on today's data, print it with what it would release,
    /// and store it as a PROPOSED export policy for an ADMIN to adopt (adoptExportPolicy, or
    /// the console's analysis screen).
    Plan {
        /// The k to reach (default: SAMENHIER_EXPORT_K).
        #[arg(long)]
        k: Option<usize>,
        /// Fix a quasi-identifier's level by hand, NAME=LEVEL (0 is the finest), e.g.
        /// `--keep gender=0 --keep dutch_level=1`; the search chooses the others. Repeatable.
        #[arg(long, value_name = "NAME=LEVEL")]
        keep: Vec<String>,
        /// Share of rows the search may withhold rather than coarsen a column (0 to 0.5;
        /// default 0.05).
        #[arg(long, value_name = "SHARE")]
        max_withheld: Option<f64>,
        /// Why the policy is proposed (kept with it).
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum NotifyCommand {
    /// One pass of the scheduler, for cron (with SAMENHIER_NOTIFY=false on the servers): find
    /// due dates, fan events out, send what is due; prints what it did as JSON.
    Run,
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Erase households whose match ended more than --months months ago, households withdrawn
    /// or never matched with no change for that long, and the members of groups withdrawn or
    /// completed that long ago. Prints one JSON line per person (ids only).
    Apply {
        /// The retention period in months (at least 1).
        #[arg(long)]
        months: u32,
        /// List who would be erased; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ScriptCommand {
    /// Validate a script offline, as publishing would: compile, both functions, sample pairs.
    Check {
        /// The .rhai file.
        file: std::path::PathBuf,
        /// Also run it on this city's current candidates (needs DATABASE_URL).
        #[arg(long)]
        city: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct UserAdd {
    /// Login e-mail address.
    #[arg(long)]
    pub email: String,
    /// ADMIN, CITY_ADMIN, COORDINATOR, ANALYST or PARTNER (any case).
    #[arg(long)]
    pub role: String,
    /// City slug, for CITY_ADMIN and PARTNER.
    #[arg(long)]
    pub city: Option<String>,
    /// Welcome group id, for COORDINATOR (the city follows from the group).
    #[arg(long)]
    pub group: Option<String>,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Offline commands (schema, solve) need no configuration and must not fail on it: the
    // settings are read, and logging starts, only for the commands that use them.
    let settings = || -> anyhow::Result<Settings> {
        let settings = Settings::from_env()?;
        telemetry::init(settings.log_format);
        Ok(settings)
    };
    match cli.command {
        Command::Schema => {
            print!("{}", api::sdl());
            Ok(())
        }
        Command::Solve { file, objective } => solve(&file, &objective),
        Command::Script { command: ScriptCommand::Check { file, city } } => {
            script_check(settings()?, &file, city.as_deref()).await
        }
        Command::Serve { demo, bind } => serve(settings()?, demo, &bind).await,
        Command::Migrate => {
            let settings = settings()?;
            let conn = db::connect(&settings.database_url).await?;
            db::migrate(&conn).await?;
            println!("migrations applied to {}", db::redact_url(&settings.database_url));
            Ok(())
        }
        Command::Backup { file } => {
            let settings = settings()?;
            let conn = db::connect(&settings.database_url).await?;
            db::backup(&conn, &file).await?;
            println!("backed up {} to {}", db::redact_url(&settings.database_url), file.display());
            Ok(())
        }
        Command::User { command: UserCommand::Add(args) } => user_add(settings()?, args).await,
        Command::Retention { command: RetentionCommand::Apply { months, dry_run } } => {
            retention(settings()?, months, dry_run).await
        }
        Command::Export { command: ExportCommand::Plan { k, keep, max_withheld, note } } => {
            export_plan(settings()?, k, keep, max_withheld, note).await
        }
        Command::Notify { command: NotifyCommand::Run } => {
            let settings = settings()?;
            settings.adopt_time_zone();
            let conn = db::connect(&settings.database_url).await?;
            db::migrate(&conn).await?;
            let metrics = std::sync::Arc::new(services::metrics::Metrics::default());
            let notifier = notify::Notifier::new(conn, &settings, metrics)?;
            let r = notifier.pass().await.map_err(AppError::into_anyhow)?;
            println!(
                "{}",
                serde_json::json!({ "due": r.due, "fannedOut": r.fanned_out, "sent": r.sent, "failed": r.failed })
            );
            Ok(())
        }
        Command::Seed { demo, bulk, newcomers, groups, seed } => {
            if !demo && bulk.is_none() {
                bail!("nothing to seed: use `samenhier seed --demo` or `samenhier seed --bulk CITY`");
            }
            let settings = settings()?;
            let conn = db::connect(&settings.database_url).await?;
            db::migrate(&conn).await?;
            services::scripts::ensure_shipped(&conn).await.map_err(AppError::into_anyhow)?;
            if demo {
                let users = demo::seed(&conn, &settings).await?;
                print_demo_users(&users);
            }
            if let Some(city) = bulk {
                demo::bulk(&conn, &settings, &city, newcomers, groups, seed).await?;
                println!("added {newcomers} waiting newcomers and {groups} ready groups to {city}");
            }
            // The generated people are written in plain text and sealed here, as older rows are.
            let vault = services::sealed::Vault::configured(&settings)?;
            services::sealed::seal_legacy(&conn, &vault).await.map_err(AppError::into_anyhow)?;
            Ok(())
        }
    }
}

async fn export_plan(
    settings: Settings,
    k: Option<usize>,
    keep: Vec<String>,
    max_withheld: Option<f64>,
    note: Option<String>,
) -> anyhow::Result<()> {
    let conn = db::connect(&settings.database_url).await?;
    db::migrate(&conn).await?;
    let k = k.unwrap_or(settings.export_k);
    let started = std::time::Instant::now();
    let mut ask = services::export::datasets::Ask::standard(k);
    for pair in keep {
        let (name, level) = pair
            .split_once('=')
            .and_then(|(n, l)| l.trim().parse::<usize>().ok().map(|l| (n.trim().to_owned(), l)))
            .ok_or_else(|| anyhow::anyhow!("--keep takes NAME=LEVEL, e.g. --keep gender=0; got {pair:?}"))?;
        ask.fixed.insert(name, level);
    }
    if let Some(share) = max_withheld {
        ask.suppression = share;
    }
    let p = services::export::policy::propose(&conn, None, ask, note, settings.today())
        .await
        .map_err(AppError::into_anyhow)?;
    let recoding = services::export::policy::recoding(&p);
    println!(
        "proposed export policy {} (k = {}), searched in {:.1} s",
        p.version,
        p.k,
        started.elapsed().as_secs_f64()
    );
    for part in recoding.describe().split("; ") {
        println!("  {part}");
    }
    println!("  countries named as themselves: {}", p.countries);
    println!("it would release today (rows, withheld):");
    for d in services::export::Dataset::ALL {
        let c = &p.preview[d.name()];
        println!("  {:<11} {:>6} {:>6}", d.name(), c["rows"], c["withheld"]);
    }
    println!("an ADMIN adopts it with: mutation {{ adoptExportPolicy(version: {}) {{ version keyId }} }}", p.version);
    Ok(())
}

async fn retention(settings: Settings, months: u32, dry_run: bool) -> anyhow::Result<()> {
    if months == 0 {
        bail!("--months must be at least 1");
    }
    let conn = db::connect(&settings.database_url).await?;
    db::migrate(&conn).await?;
    let done = services::privacy::apply_retention(&conn, months, settings.today(), dry_run)
        .await
        .map_err(AppError::into_anyhow)?;
    for c in &done {
        println!("{}", serde_json::to_string(c)?);
    }
    let count =
        |kind: &str, outcome: &str| done.iter().filter(|c| c.candidate.kind == kind && c.outcome == outcome).count();
    let verb = if dry_run { "would erase" } else { "erased" };
    eprintln!(
        "retention of {months} months: {verb} {} households and {} group members",
        count("newcomer", verb),
        count("group_member", verb)
    );
    let failed = done.iter().filter(|c| c.outcome == "failed").count();
    if failed > 0 {
        anyhow::bail!("{failed} erasures failed (listed above with outcome \"failed\"); the others went through");
    }
    Ok(())
}

async fn serve(settings: Settings, demo: bool, bind: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind}"))?;
    let app = Application::build(settings, ServeOptions { demo, signals: true }, listener).await?;
    let addr = format!("http://{bind}/graphql");
    if demo {
        print_demo_users(&app.demo_users);
        println!("Console:  http://{bind}/");
        println!("GraphiQL: {addr}");
    }
    tracing::info!(bind, "serving");
    app.run_until_stopped().await?;
    Ok(())
}

fn solve(file: &std::path::Path, objective: &str) -> anyhow::Result<()> {
    use solver::{self, Objective, textio};
    let objective = match objective.trim().to_ascii_uppercase().as_str() {
        "MAX_MATCHES_THEN_SCORE" => Objective::MaxMatchesThenScore,
        "MAX_TOTAL_SCORE" => Objective::MaxTotalScore,
        other => bail!("unknown objective {other:?}; use MAX_MATCHES_THEN_SCORE or MAX_TOTAL_SCORE"),
    };
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let matrix = textio::parse_matrix(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let started = std::time::Instant::now();
    let assignment = solver::solve(&matrix, objective, &[], &[])?;
    let solve_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("{}", textio::assignment_json(&assignment, solve_ms));
    Ok(())
}

async fn script_check(settings: Settings, file: &std::path::Path, city: Option<&str>) -> anyhow::Result<()> {
    use scripting::validate::validate;
    let source = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let candidates = match city {
        None => None,
        Some(slug) => {
            let conn = db::connect(&settings.database_url).await?;
            db::migrate(&conn).await?;
            let c = services::candidates::load(&conn, slug, Some(20)).await.map_err(AppError::into_anyhow)?;
            Some(c.script_values(settings.today()))
        }
    };
    let report = tokio::task::spawn_blocking(move || match &candidates {
        Some((ns, gs)) => validate(&source, Some((ns, gs))),
        None => validate(&source, None),
    })
    .await?;
    if report.ok() {
        println!("{}: ok ({} sample pairs scored)", file.display(), report.sample_pairs_scored);
        return Ok(());
    }
    for p in &report.problems {
        match (p.line, p.column) {
            (Some(l), Some(c)) => eprintln!("{}:{l}:{c}: {}", file.display(), p.message),
            (Some(l), None) => eprintln!("{}:{l}: {}", file.display(), p.message),
            _ => eprintln!("{}: {}", file.display(), p.message),
        }
    }
    bail!("{} is not a valid scoring script", file.display())
}

fn print_demo_users(users: &[demo::DemoUser]) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Demo users (passwords are new at every start with --demo):");
    for u in users {
        let _ = writeln!(out, "  {:<12} {:<38} {}", u.role, u.email, u.password);
    }
    let _ = out.flush();
}

async fn user_add(settings: Settings, args: UserAdd) -> anyhow::Result<()> {
    let role = users::parse_role(&args.role).map_err(AppError::into_anyhow)?;
    let password = read_password()?;
    let conn = db::connect(&settings.database_url).await?;
    db::migrate(&conn).await?;
    // Argon2 first, then the write transaction (which holds SQLite's write lock while open).
    let hashed = users::hash(NewUser { email: args.email, role, city: args.city, group: args.group, password })
        .await
        .map_err(AppError::into_anyhow)?;
    let txn = db::begin_write(&conn).await?;
    let created = users::insert(&txn, hashed).await.map_err(AppError::into_anyhow)?;
    txn.commit().await?;
    println!("created user {} ({}) with id {}", created.email, users::role_code(created.role), created.id);
    Ok(())
}

/// One line from standard input: a hidden prompt on a terminal, no prompt from a pipe.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line
    };
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        bail!("no password on standard input: pipe one line, e.g. `printf '%s\\n' \"$PW\" | samenhier user add ...`");
    }
    Ok(line)
}
