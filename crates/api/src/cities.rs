//! Cities: public to every signed-in caller (slug and name).

use crate::DB_COST;
use async_graphql::{Context, Object};
use entity::city;
use sea_orm::{EntityTrait, QueryOrder};

use crate::context::both;
use crate::error::IntoGql;
use domain::error::{AppError, AppResult};

/// A city where the programme runs.
pub struct City(pub city::Model);

/// A city where the programme runs.
#[Object]
impl City {
    /// The city's id; the same as its slug.
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(self.0.slug.clone())
    }
    /// Short stable name used in URLs and arguments, e.g. "den-haag".
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name, e.g. "Den Haag".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The scoring script the city's rounds use now. ADMIN and this city's CITY_ADMIN only;
    /// anyone else gets FORBIDDEN on this field.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn active_script(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::scripts::ScoringScript>> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::scripts::may_read(p, &self.0.slug)?;
            Ok(Some(crate::scripts::ScoringScript(services::scripts::active_row(&state.db, &self.0.slug).await?)))
        };
        run.await.gql()
    }
    /// How the city's matching treats declines. ADMIN and this city's CITY_ADMIN only; anyone
    /// else gets FORBIDDEN on this field.
    async fn settings(&self, ctx: &Context<'_>) -> async_graphql::Result<CitySettings> {
        let p = crate::context::caller(ctx).gql()?;
        let scope = p.scope_for(domain::policy::Op::CitySettings).gql()?;
        if !scope.covers_city(&self.0.slug) {
            return Err(AppError::forbidden("only staff of this city may read its settings")).gql();
        }
        Ok(CitySettings {
            decline_pause_days: self.0.decline_pause_days,
            min_group_size: self.0.min_group_size,
            screening_required: self.0.screening_required,
            reconfirm_after_days: self.0.reconfirm_after_days,
        })
    }
}

/// A city's settings.
#[derive(async_graphql::SimpleObject)]
pub struct CitySettings {
    /// Days after a decline for TIMING or TEMPORARILY_UNAVAILABLE before the pair may be
    /// proposed again.
    pub decline_pause_days: i32,
    /// The fewest members of a READY group.
    pub min_group_size: i32,
    /// Whether a group needs its screening (every member's certificate of conduct, the intake
    /// conversation, the preparation meeting) before it becomes READY.
    pub screening_required: bool,
    /// Days after its last confirmation before a WAITING household is left out of rounds until
    /// staff confirm that it still wants a group.
    pub reconfirm_after_days: i32,
}

#[derive(Default)]
pub struct CityMutation;

#[Object]
impl CityMutation {
    /// Changes a city's settings. ADMIN, and the city's CITY_ADMIN for their city.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn update_city_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug, e.g. \"almere\".")] city_slug: String,
        #[graphql(desc = "The settings to change; those left out stay as they are.")]
        input: crate::inputs::CitySettingsInput,
    ) -> async_graphql::Result<City> {
        let run = async {
            let (state, p, _turn) = both(ctx).await?;
            services::decisions::update_city_settings(&state.db, p, &city_slug, input.into()).await.map(City)
        };
        run.await.gql()
    }
}

/// Loads a city by slug (cities are public, so no scope applies).
pub async fn load(ctx: &Context<'_>, slug: &str) -> AppResult<City> {
    let (state, _turn) = crate::context::state_and_turn(ctx).await?;
    let Some(cache) = ctx.data_opt::<std::sync::Arc<crate::context::RequestCache>>() else {
        return city::Entity::find_by_id(slug).one(&state.db).await?.map(City).ok_or(AppError::NotFound("city"));
    };
    let all = cache
        .cities
        .get_or_try_init(|| async {
            let all = city::Entity::find().all(&state.db).await?;
            Ok::<_, AppError>(all.into_iter().map(|c| (c.slug.clone(), c)).collect())
        })
        .await?;
    all.get(slug).cloned().map(City).ok_or(AppError::NotFound("city"))
}

#[derive(Default)]
pub struct CityQuery;

#[Object]
impl CityQuery {
    /// Every city of the programme.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn cities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<City>> {
        let run = async {
            let (state, _, _turn) = both(ctx).await?;
            let all = city::Entity::find().order_by_asc(city::Column::Slug).all(&state.db).await?;
            Ok(all.into_iter().map(City).collect())
        };
        run.await.gql()
    }

    /// One city by slug; NOT_FOUND when there is none.
    #[graphql(complexity = "child_complexity + DB_COST")]
    async fn city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug, e.g. \"almere\".")] slug: String,
    ) -> async_graphql::Result<Option<City>> {
        // Public records, but the API answers only signed-in callers (see API.md).
        crate::context::caller(ctx).gql()?;
        load(ctx, slug.trim().to_lowercase().as_str()).await.map(Some).gql()
    }
}
