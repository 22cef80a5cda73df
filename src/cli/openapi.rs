//! `patchbay openapi`: the served `/openapi.json`, printed, so clients regenerate without a server.

pub fn run() -> anyhow::Result<()> {
    print!("{}", patchbay::http::openapi::json()?);
    Ok(())
}
