//! What the network sources keep between reads: the DAV collections'
//! sync tokens and resources (one JSON file), written atomically.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The DAV cache file's format version; another version is a full read.
const VERSION: u32 = 1;

/// Every collection's kept state, by collection URL.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct DavCache {
    version: u32,
    pub(crate) collections: BTreeMap<String, CollectionCache>,
}

/// One collection: its sync token (RFC 6578) and its resources.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct CollectionCache {
    /// Who read it (auth kind and user name, never a secret): another user
    /// may see other data, so a change means a full read.
    pub(crate) identity: String,
    pub(crate) sync_token: Option<String>,
    /// By href (the path on the server).
    pub(crate) resources: BTreeMap<String, Resource>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Resource {
    pub(crate) etag: String,
    /// The calendar or address data as the server sent it.
    pub(crate) data: String,
}

impl DavCache {
    /// The kept state, or an empty one when the file is missing, damaged
    /// or of another version.
    pub(crate) fn load(file: Option<&Path>) -> DavCache {
        file.and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice::<DavCache>(&bytes).ok())
            .filter(|c| c.version == VERSION)
            .unwrap_or_default()
    }

    /// Keeps the state; a failure only costs a full read next time.
    pub(crate) fn save(&mut self, file: &Path) -> std::io::Result<()> {
        self.version = VERSION;
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        write_atomic(file, &json)
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over
/// `path`, so a reader never sees half a file. The caches hold client data
/// (appointments, names, addresses): on Unix the file is readable by its
/// owner only (0600); on Windows it lives in the user's own profile folder,
/// whose access list already keeps other users out.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(&tmp)?.write_all(bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
