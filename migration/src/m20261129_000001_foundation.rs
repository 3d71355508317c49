//! Cities (the four seeded), welcome groups and their members, newcomers, users, audit log.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CITIES: [(&str, &str); 4] =
    [("almere", "Almere"), ("den-haag", "Den Haag"), ("haarlem", "Haarlem"), ("rotterdam", "Rotterdam")];

#[derive(DeriveIden)]
enum Cities {
    Table,
    Slug,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    CitySlug,
    GroupId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WelcomeGroups {
    Table,
    Id,
    CitySlug,
    Name,
    Neighbourhood,
    Status,
    Capacity,
    Languages,
    Interests,
    AvailabilityHoursPerMonth,
    Preferences,
    StatusReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    Id,
    GroupId,
    Name,
    Email,
    Phone,
    BirthYear,
    Languages,
    Interests,
    Sector,
    IsCoordinator,
    VogReceivedOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Newcomers {
    Table,
    Id,
    CitySlug,
    Name,
    PreferredName,
    Email,
    Phone,
    BirthYear,
    Gender,
    CountryOfOrigin,
    Languages,
    DutchLevel,
    Interests,
    Sector,
    Education,
    Goals,
    HouseholdAdults,
    ChildrenAges,
    ArrivalDate,
    Neighbourhood,
    Needs,
    ShareContactWithGroup,
    ConsentDate,
    PrivacyNoticeVersion,
    Status,
    StatusReason,
    WaitingSince,
    IdempotencyKey,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorRole,
    Action,
    EntityType,
    EntityId,
    CitySlug,
    RequestId,
    Details,
}

fn id_col<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).string_len(36).not_null().primary_key().to_owned()
}

fn ts<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cities::Table)
                    .col(ColumnDef::new(Cities::Slug).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(Cities::Name).string_len(120).not_null())
                    .col(ts(Cities::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table(Cities::Table).columns([Cities::Slug, Cities::Name, Cities::CreatedAt]);
        for (slug, name) in CITIES {
            insert
                .values([slug.into(), name.into(), Expr::current_timestamp()])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(WelcomeGroups::Table)
                    .col(id_col(WelcomeGroups::Id))
                    .col(ColumnDef::new(WelcomeGroups::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(WelcomeGroups::Name).string_len(200).not_null())
                    .col(ColumnDef::new(WelcomeGroups::Neighbourhood).string_len(200).null())
                    .col(ColumnDef::new(WelcomeGroups::Status).string_len(16).not_null())
                    .col(ColumnDef::new(WelcomeGroups::Capacity).integer().not_null())
                    .col(ColumnDef::new(WelcomeGroups::Languages).json_binary().not_null())
                    .col(ColumnDef::new(WelcomeGroups::Interests).json_binary().not_null())
                    .col(ColumnDef::new(WelcomeGroups::AvailabilityHoursPerMonth).integer().null())
                    .col(ColumnDef::new(WelcomeGroups::Preferences).text().null())
                    .col(ColumnDef::new(WelcomeGroups::StatusReason).text().null())
                    .col(ColumnDef::new(WelcomeGroups::Version).integer().not_null())
                    .col(ts(WelcomeGroups::CreatedAt))
                    .col(ts(WelcomeGroups::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WelcomeGroups::Table, WelcomeGroups::CitySlug)
                            .to(Cities::Table, Cities::Slug),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_welcome_groups_city_status")
                    .table(WelcomeGroups::Table)
                    .col(WelcomeGroups::CitySlug)
                    .col(WelcomeGroups::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(id_col(GroupMembers::Id))
                    .col(ColumnDef::new(GroupMembers::GroupId).string_len(36).not_null())
                    .col(ColumnDef::new(GroupMembers::Name).string_len(200).not_null())
                    .col(ColumnDef::new(GroupMembers::Email).string_len(254).not_null())
                    .col(ColumnDef::new(GroupMembers::Phone).string_len(32).null())
                    .col(ColumnDef::new(GroupMembers::BirthYear).integer().not_null())
                    .col(ColumnDef::new(GroupMembers::Languages).json_binary().not_null())
                    .col(ColumnDef::new(GroupMembers::Interests).json_binary().not_null())
                    .col(ColumnDef::new(GroupMembers::Sector).string_len(100).null())
                    .col(ColumnDef::new(GroupMembers::IsCoordinator).boolean().not_null())
                    .col(ColumnDef::new(GroupMembers::VogReceivedOn).date().null())
                    .col(ts(GroupMembers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupMembers::Table, GroupMembers::GroupId)
                            .to(WelcomeGroups::Table, WelcomeGroups::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_group_members_group")
                    .table(GroupMembers::Table)
                    .col(GroupMembers::GroupId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Newcomers::Table)
                    .col(id_col(Newcomers::Id))
                    .col(ColumnDef::new(Newcomers::CitySlug).string_len(64).not_null())
                    .col(ColumnDef::new(Newcomers::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Newcomers::PreferredName).string_len(100).not_null())
                    .col(ColumnDef::new(Newcomers::Email).string_len(254).null())
                    .col(ColumnDef::new(Newcomers::Phone).string_len(32).null())
                    .col(ColumnDef::new(Newcomers::BirthYear).integer().not_null())
                    .col(ColumnDef::new(Newcomers::Gender).string_len(16).not_null())
                    .col(ColumnDef::new(Newcomers::CountryOfOrigin).string_len(2).not_null())
                    .col(ColumnDef::new(Newcomers::Languages).json_binary().not_null())
                    .col(ColumnDef::new(Newcomers::DutchLevel).string_len(4).not_null())
                    .col(ColumnDef::new(Newcomers::Interests).json_binary().not_null())
                    .col(ColumnDef::new(Newcomers::Sector).string_len(100).null())
                    .col(ColumnDef::new(Newcomers::Education).string_len(200).null())
                    .col(ColumnDef::new(Newcomers::Goals).json_binary().not_null())
                    .col(ColumnDef::new(Newcomers::HouseholdAdults).integer().not_null())
                    .col(ColumnDef::new(Newcomers::ChildrenAges).json_binary().not_null())
                    .col(ColumnDef::new(Newcomers::ArrivalDate).date().not_null())
                    .col(ColumnDef::new(Newcomers::Neighbourhood).string_len(200).null())
                    .col(ColumnDef::new(Newcomers::Needs).text().null())
                    .col(ColumnDef::new(Newcomers::ShareContactWithGroup).boolean().not_null())
                    .col(ColumnDef::new(Newcomers::ConsentDate).date().null())
                    .col(ColumnDef::new(Newcomers::PrivacyNoticeVersion).string_len(32).null())
                    .col(ColumnDef::new(Newcomers::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Newcomers::StatusReason).text().null())
                    .col(ts(Newcomers::WaitingSince))
                    .col(ColumnDef::new(Newcomers::IdempotencyKey).string_len(300).null().unique_key())
                    .col(ColumnDef::new(Newcomers::Version).integer().not_null())
                    .col(ts(Newcomers::CreatedAt))
                    .col(ts(Newcomers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Newcomers::Table, Newcomers::CitySlug)
                            .to(Cities::Table, Cities::Slug),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_newcomers_city_status")
                    .table(Newcomers::Table)
                    .col(Newcomers::CitySlug)
                    .col(Newcomers::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id_col(Users::Id))
                    .col(ColumnDef::new(Users::Email).string_len(254).not_null().unique_key())
                    .col(ColumnDef::new(Users::PasswordHash).string_len(200).not_null())
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Users::CitySlug).string_len(64).null())
                    .col(ColumnDef::new(Users::GroupId).string_len(36).null())
                    .col(ts(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Users::Table, Users::CitySlug).to(Cities::Table, Cities::Slug),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::GroupId)
                            .to(WelcomeGroups::Table, WelcomeGroups::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id_col(AuditLog::Id))
                    .col(ts(AuditLog::At))
                    .col(ColumnDef::new(AuditLog::ActorUserId).string_len(36).null())
                    .col(ColumnDef::new(AuditLog::ActorRole).string_len(16).null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditLog::EntityType).string_len(32).not_null())
                    .col(ColumnDef::new(AuditLog::EntityId).string_len(64).not_null())
                    .col(ColumnDef::new(AuditLog::CitySlug).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::RequestId).string_len(36).null())
                    .col(ColumnDef::new(AuditLog::Details).json_binary().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_entity")
                    .table(AuditLog::Table)
                    .col(AuditLog::EntityType)
                    .col(AuditLog::EntityId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Newcomers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(GroupMembers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WelcomeGroups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Cities::Table).to_owned()).await
    }
}
