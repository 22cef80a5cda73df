//! `cargo run -p standin -- twilio --port 4010`: serve a stand-in carrier API
//! locally and print its URL and a seeded account to point Patchbay at.

use std::net::{IpAddr, SocketAddr};

use clap::{Parser, ValueEnum};
use standin::simple::{self, Carrier};

#[derive(Parser)]
#[command(about = "Local stand-in carrier APIs for Patchbay")]
struct Args {
    /// Which carrier to imitate.
    carrier: Which,
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    Twilio,
    Plivo,
    Telnyx,
    Vonage,
    Exotel,
    Signalwire,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let addr = SocketAddr::new(args.host, args.port);
    // Keep the handle alive: dropping it stops the server.
    let _server: Box<dyn std::any::Any> = match args.carrier {
        Which::Twilio => {
            let server = standin::twilio::start_on(addr).await?;
            let (sid, token) = server.add_account();
            let number = server.add_incoming_number(&sid, "+15005550006");
            let url = server.url();
            println!("twilio stand-in listening on {url}");
            println!("export PATCHBAY_TWILIO_BASE_URL={url}");
            println!("export PATCHBAY_TWILIO_TRUNKING_BASE_URL={url}");
            // A made-up account of this stand-in, printed so a person can use it: not a secret.
            println!("account_sid={sid}");
            println!("auth_token={token}");
            println!("incoming_phone_number_sid={number} (+15005550006)");
            Box::new(server)
        }
        other => {
            let carrier = match other {
                Which::Plivo => Carrier::Plivo,
                Which::Telnyx => Carrier::Telnyx,
                Which::Vonage => Carrier::Vonage,
                Which::Exotel => Carrier::Exotel,
                _ => Carrier::SignalWire,
            };
            let server = simple::start_on(carrier, addr).await?;
            let acc = server.add_account();
            let url = server.url();
            let var = carrier.slug().to_ascii_uppercase();
            println!("{} stand-in listening on {url}", carrier.slug());
            println!("export PATCHBAY_{var}_BASE_URL={url}");
            // A made-up account of this stand-in, printed so a person can use it: not a secret.
            println!("account_sid={}", acc.id);
            println!("auth_token={}", acc.secret);
            if carrier == Carrier::Exotel {
                println!("api_key={}", acc.key);
            }
            Box::new(server)
        }
    };
    tokio::signal::ctrl_c().await?;
    Ok(())
}
