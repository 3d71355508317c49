//! E-mail: the Dutch and English templates (`templates/*.json`, one subject and one line per
//! kind, and `layout.html` around them), and sending over SMTP with lettre.
//!
//! What an e-mail says is built from ids looked up at sending time: the group's name, the city's
//! name, a month and a date. No household's name, contact detail or note is read here, so none
//! can reach a message; the link leads to the console, where the reader's role decides what
//! they see.

use std::collections::HashMap;
use std::sync::LazyLock;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use services::config::{SmtpSettings, SmtpTls};

/// The catalogue of one language.
type Catalogue = HashMap<String, String>;

fn parse(text: &str) -> Catalogue {
    // The files are ours and a unit test reads them; a broken one gives empty texts, not a panic.
    serde_json::from_str(text).unwrap_or_default()
}

static NL: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("../templates/nl.json")));
static EN: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("../templates/en.json")));
const LAYOUT: &str = include_str!("../templates/layout.html");

/// The texts of a language ("en", or Dutch for anything else).
pub struct Texts {
    lang: &'static str,
    catalogue: &'static Catalogue,
}

impl Texts {
    pub fn of(lang: &str) -> Self {
        if lang == "en" { Self { lang: "en", catalogue: &EN } } else { Self { lang: "nl", catalogue: &NL } }
    }

    /// The text of `key` with `{name}` placeholders filled in.
    pub fn get(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut text = self.catalogue.get(key).cloned().unwrap_or_else(|| key.to_owned());
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A date as people in the language write it.
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        const NL_MONTHS: [&str; 12] = [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ];
        const EN_MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        use chrono::Datelike;
        let m = d.month0() as usize;
        if self.lang == "en" {
            format!("{} {} {}", d.day(), EN_MONTHS[m], d.year())
        } else {
            format!("{} {} {}", d.day(), NL_MONTHS[m], d.year())
        }
    }
}

/// One item of a message: a line and where it leads.
pub struct Item {
    pub subject: String,
    pub line: String,
    pub link: String,
}

/// A message ready to send.
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One e-mail of one item, or a digest of several, in plain text and HTML.
pub fn compose(texts: &Texts, items: &[Item], digest: bool, settings_link: &str) -> Mail {
    let subject = match items {
        [one] if !digest => one.subject.clone(),
        _ => texts.get("digest.subject", &[("count", items.len().to_string())]),
    };
    let open = texts.get("open", &[]);
    let greeting = texts.get("greeting", &[]);
    let footer = texts.get("footer", &[]);
    let mut text = format!("{greeting}\n\n");
    let mut html_items = String::new();
    if digest {
        let intro = texts.get("digest.intro", &[]);
        text.push_str(&format!("{intro}\n\n"));
        html_items.push_str(&format!("<p>{}</p>\n<ul>\n", escape(&intro)));
    }
    for item in items {
        if digest {
            text.push_str(&format!("- {}\n  {}: {}\n", item.line, open, item.link));
            html_items.push_str(&format!(
                "<li>{} <a href=\"{}\">{}</a></li>\n",
                escape(&item.line),
                escape(&item.link),
                escape(&open)
            ));
        } else {
            text.push_str(&format!("{}\n\n{}: {}\n", item.line, open, item.link));
            html_items.push_str(&format!(
                "<p>{}</p>\n<p><a href=\"{}\">{}</a></p>\n",
                escape(&item.line),
                escape(&item.link),
                escape(&open)
            ));
        }
    }
    if digest {
        html_items.push_str("</ul>\n");
    }
    text.push_str(&format!("\n-- \n{footer} {settings_link}\n"));
    let html = LAYOUT
        .replace("{lang}", texts.lang)
        .replace("{subject}", &escape(&subject))
        .replace("{greeting}", &escape(&greeting))
        .replace("{footer}", &escape(&footer))
        .replace("{settings}", &escape(settings_link))
        .replace("{items}", &html_items);
    Mail { subject, text, html }
}

/// The SMTP connection settings, ready to send.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(s: &SmtpSettings, timeout: std::time::Duration) -> anyhow::Result<Self> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("SAMENHIER_SMTP_FROM {:?} is not an e-mail address: {e}", s.from))?;
        let tls = || TlsParameters::new(s.host.clone());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str())
            .port(s.port)
            .timeout(Some(timeout))
            .tls(match s.tls {
                SmtpTls::StartTls => Tls::Required(tls()?),
                SmtpTls::Tls => Tls::Wrapper(tls()?),
                SmtpTls::None => Tls::None,
            });
        if let (Some(user), Some(password)) = (&s.username, &s.password) {
            let password = String::from_utf8_lossy(password.expose()).into_owned();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self { transport: builder.build(), from })
    }

    /// Sends one message; the error says what went wrong, for the delivery's log.
    pub async fn send(&self, to: &str, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("the account's e-mail address cannot be used: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|e| format!("the message cannot be built: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::enums::EventKind;

    #[test]
    fn both_languages_hold_every_text_and_the_same_placeholders() {
        let mut keys: Vec<String> = [
            "greeting",
            "footer",
            "digest.subject",
            "digest.intro",
            "open",
            "view.GROUP",
            "view.HOUSEHOLD",
            "month.0",
            "month.n",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for k in EventKind::ALL {
            keys.push(format!("{}.subject", k.code()));
            if *k == EventKind::MatchesProposed {
                keys.push(format!("{}.line.one", k.code()));
                keys.push(format!("{}.line.other", k.code()));
            } else {
                keys.push(format!("{}.line", k.code()));
            }
        }
        let placeholders = |s: &str| {
            let mut p: Vec<String> =
                s.split('{').skip(1).filter_map(|x| x.split_once('}')).map(|(a, _)| a.to_owned()).collect();
            p.sort();
            p
        };
        for k in &keys {
            let (nl, en) = (NL.get(k), EN.get(k));
            assert!(nl.is_some() && en.is_some(), "{k} is missing in a catalogue");
            assert_eq!(
                placeholders(nl.unwrap()),
                placeholders(en.unwrap()),
                "{k}: the languages fill in different values"
            );
        }
        assert_eq!(NL.len(), keys.len(), "nl.json holds a text no code uses");
        assert_eq!(EN.len(), keys.len(), "en.json holds a text no code uses");
    }

    #[test]
    fn html_is_escaped_and_a_digest_lists_every_item() {
        let texts = Texts::of("en");
        let items: Vec<Item> = (0..3)
            .map(|i| Item {
                subject: format!("s{i}"),
                line: format!("line <{i}>"),
                link: format!("http://x/#/match/{i}"),
            })
            .collect();
        let mail = compose(&texts, &items, true, "http://x/#/settings");
        assert_eq!(mail.subject, "Samenhier: your digest of today (3)");
        assert!(mail.html.contains("line &lt;2&gt;") && !mail.html.contains("line <2>"));
        assert_eq!(mail.text.matches("- line").count(), 3);
        let one = compose(&texts, &items[..1], false, "http://x/#/settings");
        assert_eq!(one.subject, "s0");
    }
}
