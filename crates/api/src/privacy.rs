//! The rights of the people in the data, in GraphQL: erasure and the subject-access report.
//! ADMIN everywhere, CITY_ADMIN in their own city.

use crate::DB_COST;
use async_graphql::{Context, ID, Json, Object};

use crate::context::both;
use crate::error::IntoGql;
use services::privacy::{self as svc, Cause};

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Everything held about one newcomer household, as one JSON document, to answer a
    /// subject-access request: the record (contact details and consent included), its matches,
    /// activities, check-ins, and the audit entries about them. Reading it is audited.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn personal_data_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the newcomer household whose data is reported.")] newcomer_id: ID,
    ) -> async_graphql::Result<Json<serde_json::Value>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::personal_data_report(&state.db, &state.vault, p, &newcomer_id).await.map(Json)
        };
        run.await.gql()
    }
}

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Right to erasure: removes the household's personal data (names, contact details, notes
    /// and other free text, the exact birth year) and keeps the non-identifying facts statistics
    /// need. A WAITING household becomes WITHDRAWN. CONFLICT while it is in a PROPOSED or ACTIVE
    /// match: reject or end that first. Erasing an erased household again answers true.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn erase_newcomer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the newcomer household whose personal data is erased.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::erase_newcomer(&state.db, Cause::Request(p), &id).await.map(|()| true)
        };
        run.await.gql()
    }

    /// Right to erasure for a volunteer: removes the member's name, contact details, exact
    /// birth year and certificate date; the member stays counted in the group.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn erase_group_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the group member whose personal data is erased.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            svc::erase_member(&state.db, Cause::Request(p), &id).await.map(|()| true)
        };
        run.await.gql()
    }
}
