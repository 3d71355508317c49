#[test]
fn the_committed_schema_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("schema.graphql");
    let generated = api::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and commit it"
    );
}
