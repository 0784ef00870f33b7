//! `directories create|get|list` and `directories files list|upload`.

use batches_client::{
    Client, CreateDirectoryParams, CreateDirectoryRequest, CreateDirectoryType, DirectoryType,
    Error, GetDirectoryParams, ListDirectoriesParams, ListDirectoryFilesParams, Page, Pages,
    RawValue,
};

use super::Context;
use super::engine;
use super::listing::{self, Listed, Span};
use crate::cli::{
    DirectoriesCommand, DirectoryListArgs, FileListArgs, FileUploadArgs, FilesCommand,
};
use crate::failure::Failure;
use crate::output::Rows;
use batches_client::resume::{Bounds, Resumable};
use batches_run::Upload;

impl Listed for ListDirectoriesParams {
    const ITEMS: (&'static str, &'static str) = ("directory", "directories");

    fn page_token(&mut self) -> &mut Option<String> {
        &mut self.page_token
    }

    fn pages(&self, client: &Client) -> Pages<Box<RawValue>> {
        client.directories().raw_pages(self.clone())
    }

    async fn page(&self, client: &Client) -> Result<Page<Box<RawValue>>, Error> {
        client.directories().list_raw(self).await
    }
}

/// The listing of one directory's files.
#[derive(Debug, Clone)]
struct FileListing {
    directory_id: String,
    params: ListDirectoryFilesParams,
}

impl Resumable for FileListing {
    fn filters(&self) -> String {
        let filters = ListDirectoryFilesParams {
            updated_at_on_or_after: None,
            updated_at_on_or_before: None,
            page_size: None,
            page_token: None,
            ..self.params.clone()
        };
        format!("files|{}|{}", self.directory_id, filters.to_query_string())
    }

    fn bounds(&self) -> Bounds {
        (
            self.params.updated_at_on_or_after,
            self.params.updated_at_on_or_before,
        )
    }

    fn resume_at(&mut self, (after, before): Bounds, page_token: Option<String>) {
        self.params.updated_at_on_or_after = after;
        self.params.updated_at_on_or_before = before;
        self.params.page_token = page_token;
    }
}

impl Listed for FileListing {
    const ITEMS: (&'static str, &'static str) = ("file", "files");

    fn page_token(&mut self) -> &mut Option<String> {
        &mut self.params.page_token
    }

    fn pages(&self, client: &Client) -> Pages<Box<RawValue>> {
        client
            .directories()
            .files(&self.directory_id)
            .raw_pages(self.params.clone())
    }

    async fn page(&self, client: &Client) -> Result<Page<Box<RawValue>>, Error> {
        client
            .directories()
            .files(&self.directory_id)
            .list_raw(&self.params)
            .await
    }
}

/// Runs a `directories` command.
pub async fn run(context: &mut Context, command: DirectoriesCommand) -> Result<(), Failure> {
    match command {
        DirectoriesCommand::Create {
            name,
            description,
            type_,
            scope,
        } => {
            let (organization_id, project_id) = scope.ids();
            let request = CreateDirectoryRequest {
                description,
                type_: type_.map(CreateDirectoryType::from),
                ..CreateDirectoryRequest::new(name)
            };
            let params = CreateDirectoryParams {
                organization_id,
                project_id,
            };
            let response = context
                .interrupt
                .race(context.client.directories().create(&request, &params))
                .await??;
            context.printer.show(Rows::Directories);
            context.printer.single(&response.raw)
        }
        DirectoriesCommand::Get { id, scope } => {
            let (organization_id, project_id) = scope.ids();
            let params = GetDirectoryParams {
                organization_id,
                project_id,
            };
            let response = context
                .interrupt
                .race(context.client.directories().get(&id, &params))
                .await??;
            context.printer.show(Rows::Directories);
            context.printer.single(&response.raw)
        }
        DirectoriesCommand::List(args) => list(context, *args).await,
        DirectoriesCommand::Files(FilesCommand::List(args)) => list_files(context, *args).await,
        DirectoriesCommand::Files(FilesCommand::Upload(args)) => upload(context, *args).await,
    }
}

async fn list(context: &mut Context, args: DirectoryListArgs) -> Result<(), Failure> {
    let (organization_id, project_id) = args.scope.ids();
    let params = ListDirectoriesParams {
        include_deleted: args.include_deleted.then_some(true),
        name: args.name,
        organization_id,
        page_size: args.pages.page_size,
        page_token: None,
        project_id,
        type_: None,
        types: (!args.types.is_empty())
            .then(|| args.types.into_iter().map(DirectoryType::from).collect()),
    };
    let span = Span {
        page_token: args.pages.page_token,
        starting_token: args.pages.starting_token,
        max_items: args.pages.max_items,
        bounds: (None, None),
    };
    context.printer.show(Rows::Directories);
    listing::print(context, params, span).await
}

async fn list_files(context: &mut Context, args: FileListArgs) -> Result<(), Failure> {
    let (organization_id, project_id) = args.scope.ids();
    let params = ListDirectoryFilesParams {
        display_name: args.display_name,
        display_name_contains: args.display_name_contains,
        expand: None,
        file_id: args.file_id,
        include_deleted: args.include_deleted.then_some(true),
        organization_id,
        page_size: args.pages.page_size,
        page_token: None,
        project_id,
        unique_id: args.unique_id,
        updated_at_on_or_after: args.updated_at_on_or_after.map(|instant| instant.at),
        updated_at_on_or_before: args.updated_at_on_or_before.map(|instant| instant.at),
    };
    let span = Span {
        page_token: args.pages.page_token,
        starting_token: args.pages.starting_token,
        max_items: args.pages.max_items,
        bounds: (args.updated_at_on_or_after, args.updated_at_on_or_before),
    };
    let listing = FileListing {
        directory_id: args.directory_id,
        params,
    };
    context.printer.show(Rows::DirectoryFiles);
    listing::print(context, listing, span).await
}

/// `directories files upload`: prints the directory file of every path, uploaded now or
/// found there already; failures go to stderr and make the exit code 4.
async fn upload(context: &mut Context, args: FileUploadArgs) -> Result<(), Failure> {
    let found = engine::selection(&args.paths, &args.upload)
        .find()
        .map_err(engine::plan_failure)?;
    if args.upload.dry_run {
        let files = found
            .files
            .iter()
            .map(|file| (file.shown.clone(), file.bytes, args.directory_id.clone()));
        return engine::print_plan(context, files, &found.skipped);
    }
    for skipped in &found.skipped {
        engine::skip_note(&context.console, &skipped.path, &skipped.reason);
    }
    let upload = Upload::start(
        context.client.clone(),
        &args.directory_id,
        found.files,
        usize::from(args.upload.upload_concurrency),
        args.upload.upload_rate,
    );
    let stopped = |cause: Failure| Failure::Stopped {
        cause: Box::new(cause),
        resume_command: super::resume_command::same_command(),
    };
    let report = match engine::follow(context, upload).await {
        Ok(report) => report,
        Err(batches_run::Error::Cancelled { .. }) => return Err(stopped(Failure::Interrupted)),
        Err(batches_run::Error::Client { source, .. }) => return Err(Failure::Client(*source)),
        Err(other) => return Err(Failure::Unreadable(other.to_string())),
    };
    context.printer.show(Rows::DirectoryFiles);
    for (file, outcome) in &report.files {
        match outcome {
            Ok(stored) => context.printer.list_item(&stored.raw)?,
            Err(error) => context.console.error(&format!("{}: {error}", file.shown)),
        }
    }
    context.printer.end_list()?;
    engine::rate_limited_note(&context.console, report.rate_limited);
    match report.failed() {
        0 => Ok(()),
        failed => Err(stopped(Failure::FilesFailed {
            failed,
            total: report.files.len(),
        })),
    }
}
