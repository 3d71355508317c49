//! A person's data key, wrapped (sealed) with the server's data key: the personal fields of a
//! household, a group member or a match are sealed with it, and erasure deletes it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_keys")]
pub struct Model {
    /// The record whose personal fields this key seals: a newcomer's, member's or match's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject_id: String,
    /// The data key, sealed with the server's key (base64 of nonce, ciphertext and tag).
    pub wrapped_key: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
