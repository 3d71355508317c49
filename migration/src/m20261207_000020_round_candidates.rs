//! Every pair a round could propose (eligible under the script and not excluded), with its
//! points per criterion and whether the round proposed it: what research needs to learn which
//! criteria go with good outcomes, beyond the pairs that became matches. A round stores them
//! when it commits (not a dry run) and has at most `rounds::CANDIDATE_CAP` of them.

use sea_orm_migration::prelude::*;

use super::m20261129_000009_generation_monotone::add_generation_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RoundCandidates {
    Table,
    RunId,
    NewcomerId,
    GroupId,
    Score,
    Parts,
    Proposed,
}

/// What the script read of each household and group of a round that stored candidates, as
/// the round saw it (personal data: erased with the person).
#[derive(DeriveIden)]
enum RoundFeatures {
    Table,
    RunId,
    Kind,
    EntityId,
    Features,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoundCandidates::Table)
                    .col(ColumnDef::new(RoundCandidates::RunId).string_len(36).not_null())
                    .col(ColumnDef::new(RoundCandidates::NewcomerId).string_len(36).not_null())
                    .col(ColumnDef::new(RoundCandidates::GroupId).string_len(36).not_null())
                    .col(ColumnDef::new(RoundCandidates::Score).big_integer().not_null())
                    .col(ColumnDef::new(RoundCandidates::Parts).json_binary().not_null())
                    .col(ColumnDef::new(RoundCandidates::Proposed).boolean().not_null())
                    .primary_key(
                        Index::create()
                            .col(RoundCandidates::RunId)
                            .col(RoundCandidates::NewcomerId)
                            .col(RoundCandidates::GroupId),
                    )
                    .to_owned(),
            )
            .await?;
        // An extract reads the pairs of the consenting households.
        manager
            .create_index(
                Index::create()
                    .name("ix_round_candidates_newcomer")
                    .table(RoundCandidates::Table)
                    .col(RoundCandidates::NewcomerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoundFeatures::Table)
                    .col(ColumnDef::new(RoundFeatures::RunId).string_len(36).not_null())
                    .col(ColumnDef::new(RoundFeatures::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(RoundFeatures::EntityId).string_len(36).not_null())
                    .col(ColumnDef::new(RoundFeatures::Features).json_binary().not_null())
                    .primary_key(
                        Index::create().col(RoundFeatures::RunId).col(RoundFeatures::Kind).col(RoundFeatures::EntityId),
                    )
                    .to_owned(),
            )
            .await?;
        // Erasure deletes a person's rows.
        manager
            .create_index(
                Index::create()
                    .name("ix_round_features_entity")
                    .table(RoundFeatures::Table)
                    .col(RoundFeatures::EntityId)
                    .to_owned(),
            )
            .await?;
        add_generation_triggers(manager, "round_candidates").await?;
        add_generation_triggers(manager, "round_features").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoundFeatures::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(RoundCandidates::Table).to_owned()).await
    }
}
