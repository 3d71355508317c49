//! Who registered a household and who created a group: a PARTNER changes only the records its
//! own account put in (it used to be able to change any household of its city, matched ones
//! included). Existing rows are filled from the audit log, which recorded every registration.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    RegisteredBy,
}

#[derive(DeriveIden)]
enum WelcomeGroups {
    Table,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Newcomers::Table)
                    .add_column(ColumnDef::new(Newcomers::RegisteredBy).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WelcomeGroups::Table)
                    .add_column(ColumnDef::new(WelcomeGroups::CreatedBy).string().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE newcomers SET registered_by = (SELECT a.actor_user_id FROM audit_log a \
             WHERE a.action = 'newcomer.register' AND a.entity_id = newcomers.id ORDER BY a.id LIMIT 1)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE welcome_groups SET created_by = (SELECT a.actor_user_id FROM audit_log a \
             WHERE a.action = 'group.create' AND a.entity_id = welcome_groups.id ORDER BY a.id LIMIT 1)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(WelcomeGroups::Table).drop_column(WelcomeGroups::CreatedBy).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Newcomers::Table).drop_column(Newcomers::RegisteredBy).to_owned())
            .await
    }
}
