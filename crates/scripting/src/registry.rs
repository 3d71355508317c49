//! The compiled active script of each city, swapped atomically when a version is published or
//! activated. The database is the truth: callers pass the active version they read, and a
//! replica that did not publish compiles the new version on its next use.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::script::CompiledScript;

/// A city's active script, compiled.
pub struct ActiveScript {
    pub version: i32,
    pub sha256: String,
    pub script: Arc<CompiledScript>,
}

#[derive(Default)]
pub struct ScriptRegistry {
    by_city: RwLock<HashMap<String, Arc<ActiveScript>>>,
}

impl ScriptRegistry {
    /// The cached script of `city` if it is the version with this hash.
    pub fn cached(&self, city: &str, sha256: &str) -> Option<Arc<ActiveScript>> {
        let map = self.by_city.read().ok()?;
        map.get(city).filter(|a| a.sha256 == sha256).cloned()
    }

    /// Installs a compiled script for `city`; rounds holding the previous one keep it.
    pub fn install(&self, city: &str, active: Arc<ActiveScript>) {
        if let Ok(mut map) = self.by_city.write() {
            map.insert(city.to_owned(), active);
        }
    }
}
