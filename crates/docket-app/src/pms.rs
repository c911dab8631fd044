//! Reading the PMS as the next export reads it: the configured source
//! (demo, file or folder, ICS feed, CalDAV/CardDAV) with the firm's
//! conventions, its caches (deleted when the account they were read for
//! is gone), and the preview `doctor` shows.

use std::path::PathBuf;

use docket_paths::SourceCache;

use crate::{executor, plan_choices, App, AppError};

/// How the source reads the firm's conventions (`[conventions]`).
pub(crate) fn read_options(c: &docket_config::Conventions) -> docket_source::ReadOptions {
    use docket_source::{DeadlineKind, KindRule, ReadOptions, SubscriptionRule};
    ReadOptions {
        kind: KindRule {
            x_property: c.kind_property.clone(),
            deadline_names: c.deadline_categories.clone(),
            followup_names: c.followup_categories.clone(),
            default: match c.default_kind {
                docket_config::DeadlineKind::Deadline => DeadlineKind::Deadline,
                docket_config::DeadlineKind::FollowUp => DeadlineKind::FollowUp,
            },
        },
        subscription: SubscriptionRule {
            x_property: c.subscribed_property.clone(),
            categories: c.subscribed_categories.clone(),
        },
        ..ReadOptions::default()
    }
}

/// What [`App::preview_pms`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PmsPreview {
    pub appointments: usize,
    pub deadlines: usize,
    pub contacts: usize,
    /// `false`: something could not be read; nothing is deleted on the
    /// strength of such a read.
    pub complete: bool,
    /// Each record the export will skip: its file, its identity, the
    /// reason (a message) and, when it is not the record's data, the fix.
    pub skipped: Vec<executor::Skipped>,
    /// What the user should know that costs no record.
    pub notices: Vec<docket_text::Message>,
}

impl App {
    /// The file or folder to watch for changes (file sources only).
    pub(crate) fn watched_source(&self) -> Option<PathBuf> {
        match &self.config().source {
            docket_config::Source::IcsFile { path } => Some(path.clone()),
            _ => None,
        }
    }

    /// Delete the source caches once the database marks them stale (the
    /// account they were read for is gone). Marked in the transaction that
    /// dropped the account's export state, deleted right after its commit
    /// and, if that did not happen (a crash, a locked file), before the
    /// next read of the source.
    pub(crate) fn delete_stale_source_caches(&self) -> Result<(), AppError> {
        if !self.db().source_caches_stale()? {
            return Ok(());
        }
        let mut all_gone = true;
        for f in self.paths.source_cache_files() {
            match std::fs::remove_file(&f) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    all_gone = false;
                    tracing::warn!(file = %f.display(), error = %e, "cannot remove a source cache");
                }
            }
        }
        if all_gone {
            self.db().source_caches_deleted()?;
        }
        Ok(())
    }

    /// Network settings for the sources: the firm's extra CA is trusted
    /// for the PMS server too.
    pub(crate) fn source_http(&self) -> Result<docket_source::HttpSettings, AppError> {
        let mut http = docket_source::HttpSettings::default();
        if let Some(path) = &self.config().microsoft.extra_ca_file {
            http.extra_ca_pem = Some(
                std::fs::read(path)
                    .map_err(|e| AppError::Http(crate::HttpSetup::unreadable(path, &e)))?,
            );
        }
        Ok(http)
    }

    /// Read the PMS now, as the next export would (for `doctor`): the
    /// signed-in user's data (the demo source needs one), changing nothing
    /// in Microsoft 365.
    /// What the next export would read from the PMS and skip, without
    /// asking Microsoft 365: the same skips (file, record, reason) and
    /// notices as `sync --dry-run` lists, for `doctor`.
    pub(crate) async fn preview_pms(&self) -> Result<PmsPreview, AppError> {
        let snapshot = self.read_pms().await?;
        let choices = plan_choices(&self.config());
        let (skips, notices) = docket_export::preview(&snapshot, &choices, chrono::Utc::now());
        Ok(PmsPreview {
            appointments: snapshot.appointments.len(),
            deadlines: snapshot.deadlines.len(),
            contacts: snapshot.contacts.len(),
            complete: snapshot.complete,
            skipped: skips.into_iter().map(executor::settle_skip).collect(),
            notices,
        })
    }

    pub async fn read_pms(&self) -> Result<docket_source::Snapshot, AppError> {
        let username = self
            .current_account()?
            .map(|r| r.username)
            .unwrap_or_default();
        self.read_source(&username).await
    }

    pub(crate) async fn read_source(
        &self,
        username: &str,
    ) -> Result<docket_source::Snapshot, AppError> {
        use docket_source::{DemoSource, FolderSource, Source as _};
        // Caches of an account that is gone are never read.
        self.delete_stale_source_caches()?;
        let options = read_options(&self.config().conventions);
        let snapshot = match &self.config().source {
            docket_config::Source::Demo => {
                // The sample firm as of today on the app's clock (it moves
                // with the weeks, so that it never ages).
                let today = (self.clock())().date_naive();
                let source = DemoSource::new(username, options, today).map_err(|_| {
                    AppError::DemoUserUnknown {
                        username: username.to_string(),
                    }
                })?;
                tokio::task::spawn_blocking(move || source.read()).await
            }
            docket_config::Source::IcsFile { path } if path.is_dir() => {
                let source = FolderSource::new(path.clone(), options);
                tokio::task::spawn_blocking(move || source.read()).await
            }
            docket_config::Source::IcsFile { path } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || match std::fs::read(&path) {
                    Ok(bytes) => {
                        docket_source::read_bytes(&path.display().to_string(), &bytes, &options)
                    }
                    Err(e) => {
                        // Nothing read: incomplete, so nothing is deleted on its strength.
                        let mut s = docket_source::Snapshot::empty();
                        s.complete = false;
                        s.problems.push(docket_source::ItemProblem::file_unreadable(
                            path.display().to_string(),
                            e,
                        ));
                        s
                    }
                })
                .await
            }
            docket_config::Source::IcsUrl {
                url,
                auth,
                username,
            } => {
                let source = docket_source::UrlSource::new(
                    url.clone(),
                    self.http_auth(*auth, username)?,
                    options,
                )
                .http(self.source_http()?)
                .cache_file(self.paths.source_cache_file(SourceCache::Url));
                tokio::task::spawn_blocking(move || source.read()).await
            }
            docket_config::Source::CalDav {
                url,
                tasks_url,
                contacts_url,
                auth,
                username,
            } => {
                use docket_source::CollectionKind::{AddressBook, Calendar};
                let modules = self.config().modules;
                let mut source =
                    docket_source::DavSource::new(self.http_auth(*auth, username)?, options)
                        .collection("source.url", url.clone(), Calendar);
                if let Some(tasks) = tasks_url.as_ref().filter(|_| modules.tasks) {
                    source = source.collection("source.tasks_url", tasks.clone(), Calendar);
                }
                if let Some(book) = contacts_url.as_ref().filter(|_| modules.contacts) {
                    source = source.collection("source.contacts_url", book.clone(), AddressBook);
                }
                let source = source
                    .http(self.source_http()?)
                    .cache_file(self.paths.source_cache_file(SourceCache::Dav));
                tokio::task::spawn_blocking(move || {
                    let (snapshot, stats) = source.read_with_stats();
                    tracing::info!(
                        requests = stats.requests,
                        full_listings = stats.full_listings,
                        incremental = stats.incremental,
                        fetched = stats.fetched,
                        removed = stats.removed,
                        complete = snapshot.complete,
                        "read the CalDAV/CardDAV source"
                    );
                    snapshot
                })
                .await
            }
        };
        snapshot.map_err(|e| {
            AppError::Export(crate::ExportFailure::SourceReadStopped {
                detail: e.to_string(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn the_default_conventions_are_the_sources_defaults() {
        assert_eq!(
            read_options(&docket_config::Conventions::default()),
            docket_source::ReadOptions::default()
        );
    }

    #[test]
    pub(crate) fn the_firms_conventions_decide_what_a_to_do_is() {
        let conventions = docket_config::Conventions {
            followup_categories: vec!["WV".into()],
            ..docket_config::Conventions::default()
        };
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VTODO\r\nUID:w1\r\nSUMMARY:Akte Huber\r\nCATEGORIES:WV\r\nDUE;VALUE=DATE:20261215\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        let read = |c: &docket_config::Conventions| {
            docket_source::read_bytes("t.ics", ics.as_bytes(), &read_options(c)).deadlines[0].kind
        };
        assert_eq!(read(&conventions), docket_source::DeadlineKind::FollowUp);
        assert_eq!(
            read(&docket_config::Conventions::default()),
            docket_source::DeadlineKind::Deadline
        );
    }
}
