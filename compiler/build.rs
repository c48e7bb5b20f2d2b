//! Generates the text-language parser (`src/text/grammar.lalrpop`) with lalrpop.

fn main() {
    println!("cargo:rerun-if-changed=src/text/grammar.lalrpop");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = lalrpop::Configuration::new()
        .set_out_dir(format!("{out}/text"))
        .emit_rerun_directives(false)
        .process_file("src/text/grammar.lalrpop")
    {
        eprintln!("lalrpop failed: {e}");
        std::process::exit(1);
    }
}
