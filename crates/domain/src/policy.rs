//! The table "Who may do what" of DESIGN.md, as code. `scope_for` answers FORBIDDEN for an
//! operation outside the caller's role, and otherwise the set of records the caller may touch;
//! services filter by that scope, so a record outside it is NOT_FOUND like a missing one.

use crate::enums::Role;

use crate::error::{AppError, AppResult};

/// The verified caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: String,
    pub role: Role,
    pub city: Option<String>,
    pub group: Option<String>,
    /// For a COMMUNITY_BUILDER: the matches assigned to them (read with the account).
    pub supported: Option<Supported>,
}

/// The matches a community builder supports, with the groups and households in them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Supported {
    pub matches: Vec<String>,
    pub groups: Vec<String>,
    pub newcomers: Vec<String>,
}

/// The records an operation may reach for one caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every city.
    All,
    /// One city.
    City(String),
    /// One welcome group (a coordinator's), in its city.
    Group { group_id: String, city: String },
    /// The matches a community builder supports (and their groups and households), in their city.
    Supported { city: String, of: Supported },
}

impl Scope {
    /// Whether records of `city` are visible at all under this scope.
    pub fn covers_city(&self, city: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::City(c) | Scope::Group { city: c, .. } | Scope::Supported { city: c, .. } => c == city,
        }
    }

    /// Whether the group `group_id` in `city` is within this scope.
    pub fn covers_group(&self, group_id: &str, city: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::City(c) => c == city,
            Scope::Group { group_id: g, .. } => g == group_id,
            Scope::Supported { city: c, of } => c == city && of.groups.iter().any(|g| g == group_id),
        }
    }

    /// A list filtered by `city`: the city, lower-cased, when it is within the scope;
    /// FORBIDDEN for another city (cities are public, so naming one reveals nothing: asking
    /// about it is what the caller may not do, as for every other operation on another city).
    pub fn city_filter(&self, city: &str) -> AppResult<String> {
        let city = city.trim().to_lowercase();
        if self.covers_city(&city) {
            Ok(city)
        } else {
            Err(AppError::forbidden(format!("you may not read the records of {city}; your scope is your own city")))
        }
    }

    /// The single city this scope is limited to, if any.
    pub fn city(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::City(c) | Scope::Group { city: c, .. } | Scope::Supported { city: c, .. } => Some(c),
        }
    }
}

/// Every operation that needs a decision. Each GraphQL field maps to one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    ReadGroups,
    CreateGroup,
    UpdateGroup,
    AddMember,
    RemoveMember,
    /// Changing a member's details, or who coordinates the group.
    UpdateMember,
    MarkGroupReady,
    WithdrawGroup,
    ReadNewcomers,
    RegisterNewcomer,
    UpdateNewcomer,
    WithdrawNewcomer,
    /// Read, validate, preview, publish and activate scoring scripts.
    ManageScripts,
    /// Run rounds, ask for recommendations, propose by hand, accept, reject.
    DecideMatches,
    /// Read matches and runs.
    ReadMatches,
    /// Log activities and record check-ins of a match (the group's view).
    RecordYear,
    /// Read and record the household's own view of its check-ins, and its baseline; never the
    /// group's coordinator.
    HouseholdView,
    /// City statistics and criterion outcomes (ANALYST: small counts suppressed).
    Statistics,
    /// Read the audit log.
    ReadAudit,
    /// Read and change a city's settings (ADMIN; a CITY_ADMIN for their city).
    CitySettings,
    /// Invite, list, disable and enable accounts, change their role (ADMIN; a CITY_ADMIN the
    /// accounts of their city, never ADMIN or ANALYST ones).
    ManageUsers,
    /// Create a city (ADMIN).
    CreateCity,
    /// Register webhook endpoints, read their deliveries and send one again (ADMIN).
    ManageWebhooks,
    /// Download anonymised exports and read their catalog and policies.
    Export,
    /// Propose and adopt the export policy (ADMIN).
    ExportPolicy,
    /// Register and change research projects (ADMIN).
    ResearchProjects,
    /// Read the research projects one is named in and download their extracts (ANALYST; the
    /// project's membership decides which).
    ResearchExtract,
    /// Erase a person's personal data, or report everything held about them (the rights of
    /// erasure and access).
    PersonalData,
}

/// How much of a scope a role gets for an operation.
#[derive(Clone, Copy)]
enum Reach {
    All,
    OwnCity,
    OwnGroup,
    OwnMatches,
}

fn reach(role: Role, op: Op) -> Option<Reach> {
    use Op::*;
    use Reach::*;
    match role {
        Role::Admin => Some(All),
        Role::CityAdmin => match op {
            Export | ExportPolicy | ResearchProjects | ResearchExtract | CreateCity | ManageWebhooks => None,
            _ => Some(OwnCity),
        },
        Role::CommunityBuilder => match op {
            ReadGroups | ReadNewcomers | UpdateNewcomer | ReadMatches | RecordYear | HouseholdView => Some(OwnMatches),
            _ => None,
        },
        Role::Coordinator => match op {
            ReadGroups | UpdateGroup | AddMember | RemoveMember | UpdateMember | ReadNewcomers | ReadMatches
            | RecordYear => Some(OwnGroup),
            _ => None,
        },
        Role::Partner => match op {
            ReadGroups | CreateGroup | AddMember | ReadNewcomers | RegisterNewcomer | UpdateNewcomer => Some(OwnCity),
            _ => None,
        },
        Role::Analyst => match op {
            Statistics | Export | ResearchExtract => Some(All),
            _ => None,
        },
    }
}

impl Principal {
    /// The caller's scope for `op`, or FORBIDDEN when the role may not do it at all.
    pub fn scope_for(&self, op: Op) -> AppResult<Scope> {
        let forbidden = || AppError::forbidden(format!("the role {} may not do this", self.role.code()));
        let own_city = || self.city.clone().ok_or_else(forbidden);
        match reach(self.role, op).ok_or_else(forbidden)? {
            Reach::All => Ok(Scope::All),
            Reach::OwnCity => Ok(Scope::City(own_city()?)),
            Reach::OwnGroup => {
                Ok(Scope::Group { group_id: self.group.clone().ok_or_else(forbidden)?, city: own_city()? })
            }
            Reach::OwnMatches => {
                Ok(Scope::Supported { city: own_city()?, of: self.supported.clone().unwrap_or_default() })
            }
        }
    }

    /// Whether the caller may change a record whose creator is `creator` with `op`: a PARTNER
    /// changes only what its own account registered or created (a household it registered,
    /// a group it created); everyone else as their scope says. Callers answer NOT_FOUND when
    /// not, like any record outside the caller's scope.
    pub fn may_change(&self, op: Op, creator: Option<&str>) -> bool {
        let writes = matches!(
            op,
            Op::UpdateNewcomer
                | Op::WithdrawNewcomer
                | Op::AddMember
                | Op::RemoveMember
                | Op::UpdateMember
                | Op::UpdateGroup
        );
        self.role != Role::Partner || !writes || creator == Some(self.user_id.as_str())
    }

    pub fn role_name(&self) -> &'static str {
        self.role.code()
    }
}
