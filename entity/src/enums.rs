//! Closed sets of values stored as short strings, so both databases read them the same way.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "CITY_ADMIN")]
    CityAdmin,
    #[sea_orm(string_value = "COMMUNITY_BUILDER")]
    CommunityBuilder,
    #[sea_orm(string_value = "COORDINATOR")]
    Coordinator,
    #[sea_orm(string_value = "ANALYST")]
    Analyst,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum GroupStatus {
    #[sea_orm(string_value = "FORMING")]
    Forming,
    #[sea_orm(string_value = "READY")]
    Ready,
    #[sea_orm(string_value = "MATCHED")]
    Matched,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum NewcomerStatus {
    #[sea_orm(string_value = "WAITING")]
    Waiting,
    #[sea_orm(string_value = "MATCHED")]
    Matched,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Gender {
    #[sea_orm(string_value = "FEMALE")]
    Female,
    #[sea_orm(string_value = "MALE")]
    Male,
    #[sea_orm(string_value = "OTHER")]
    Other,
    #[sea_orm(string_value = "UNDISCLOSED")]
    Undisclosed,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(4))")]
pub enum CefrLevel {
    #[sea_orm(string_value = "A0")]
    A0,
    #[sea_orm(string_value = "A1")]
    A1,
    #[sea_orm(string_value = "A2")]
    A2,
    #[sea_orm(string_value = "B1")]
    B1,
    #[sea_orm(string_value = "B2")]
    B2,
    #[sea_orm(string_value = "C1")]
    C1,
    #[sea_orm(string_value = "C2")]
    C2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MatchStatus {
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "ENDED_EARLY")]
    EndedEarly,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RunStatus {
    #[sea_orm(string_value = "DRY_RUN")]
    DryRun,
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "DECIDED")]
    Decided,
}

/// Each stored enum mirrors the domain's closed set of the same name; the conversions match
/// every variant, so a variant added on one side fails to build until added on the other.
macro_rules! mirror {
    ($($name:ident { $($variant:ident),+ $(,)? })+) => {$(
        impl From<domain::enums::$name> for $name {
            fn from(v: domain::enums::$name) -> Self {
                match v {
                    $(domain::enums::$name::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for domain::enums::$name {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    )+};
}

mirror! {
    Role { Admin, CityAdmin, CommunityBuilder, Coordinator, Analyst, Partner }
    GroupStatus { Forming, Ready, Matched, Completed, Withdrawn }
    NewcomerStatus { Waiting, Matched, Completed, Withdrawn }
    Gender { Female, Male, Other, Undisclosed }
    CefrLevel { A0, A1, A2, B1, B2, C1, C2 }
    MatchStatus { Proposed, Active, Completed, EndedEarly, Rejected }
    RunStatus { DryRun, Proposed, Decided }
}

#[cfg(test)]
mod tests {
    use sea_orm::ActiveEnum;

    /// The database stores each value under the code the API and tokens use.
    #[test]
    fn stored_strings_are_the_domain_codes() {
        fn check<E: ActiveEnum<Value = String> + sea_orm::Iterable + Copy + Into<D>, D: Copy>(
            code: fn(D) -> &'static str,
        ) {
            for v in E::iter() {
                assert_eq!(v.to_value(), code(v.into()));
            }
        }
        check::<super::Role, _>(domain::enums::Role::code);
        check::<super::GroupStatus, _>(domain::enums::GroupStatus::code);
        check::<super::NewcomerStatus, _>(domain::enums::NewcomerStatus::code);
        check::<super::Gender, _>(domain::enums::Gender::code);
        check::<super::CefrLevel, _>(domain::enums::CefrLevel::code);
        check::<super::MatchStatus, _>(domain::enums::MatchStatus::code);
        check::<super::RunStatus, _>(domain::enums::RunStatus::code);
    }
}
