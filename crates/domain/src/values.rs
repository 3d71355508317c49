//! Domain value sets that are stored inside JSON lists rather than in columns of their own.

use serde::{Deserialize, Serialize};

/// What a newcomer hopes the year brings. Stored lower-case (`"work"`), as scripts see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Goal {
    /// Finding work.
    Work,
    /// Study or vocational training.
    Study,
    /// Learning Dutch.
    Language,
    /// Building a social network.
    SocialNetwork,
    /// Letters, appointments, the practical side of life.
    PracticalMatters,
}

impl Goal {
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Work => "work",
            Goal::Study => "study",
            Goal::Language => "language",
            Goal::SocialNetwork => "social_network",
            Goal::PracticalMatters => "practical_matters",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Goal::Work, Goal::Study, Goal::Language, Goal::SocialNetwork, Goal::PracticalMatters]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

/// How well a newcomer speaks a language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LanguageLevel {
    /// A first language.
    Native,
    /// Fluent in daily life.
    Fluent,
    /// Basic conversation.
    Basic,
}

impl LanguageLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LanguageLevel::Native => "native",
            LanguageLevel::Fluent => "fluent",
            LanguageLevel::Basic => "basic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LanguageLevel::Native, LanguageLevel::Fluent, LanguageLevel::Basic].into_iter().find(|l| l.as_str() == s)
    }
}
