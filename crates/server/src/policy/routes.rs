//! The routers that take a route only with its [`Policy`]: the API's
//! [`PolicyRoutes::routes_with`] (which also writes the OpenAPI `security` and `x-toegang`) and
//! the pages' [`PageRoutes`]; and the route layers that enforce a policy before the handler.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use super::{Access, Policy};
use crate::error::ApiError;
use crate::state::AppState;

/// The policy of the route a request matched (in the request's extensions).
#[derive(Debug, Clone, Copy)]
pub struct RoutePolicy(pub &'static Policy);

/// The route layer: puts the policy into the extensions and enforces it before the handler.
/// Who calls is settled first (401), then the path's numbers (400 `ongeldig_pad`, as the
/// handler's `Path` would answer), then the policy (403).
async fn enforce(
    policy: &'static Policy,
    numbers: Arc<[String]>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(RoutePolicy(policy));
    let Some(state) = parts.extensions.get::<AppState>().cloned() else {
        return ApiError::internal("the application state is not in the request's extensions")
            .into_response();
    };
    if let Err(refused) = check(policy, &numbers, &mut parts, &state).await {
        return refused.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

async fn check(
    policy: &'static Policy,
    numbers: &[String],
    parts: &mut axum::http::request::Parts,
    state: &AppState,
) -> Result<(), ApiError> {
    if matches!(policy.access, Access::Anyone | Access::Session) {
        return Ok(());
    }
    let actor = crate::acting::actor(parts, state).await?;
    crate::acting::check_numbers(parts, state, numbers).await?;
    match policy.access {
        Access::Person => actor.require_user().map(|_| ()),
        Access::Roles => {
            let acting = crate::acting::resolve(parts, state, policy).await?;
            parts.extensions.insert(acting);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A method router behind its policy; `numbers`: its path parameters that are numbers.
fn guarded(
    method_router: MethodRouter<AppState>,
    policy: &'static Policy,
    numbers: Vec<String>,
) -> MethodRouter<AppState> {
    let numbers: Arc<[String]> = numbers.into();
    method_router.route_layer(from_fn(move |req: Request, next: Next| {
        enforce(policy, numbers.clone(), req, next)
    }))
}

/// The path parameters of an operation that are integers.
fn number_params(op: &utoipa::openapi::path::Operation) -> Vec<String> {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    op.parameters
        .iter()
        .flatten()
        .filter(|p| p.parameter_in == ParameterIn::Path)
        .filter(|p| {
            matches!(&p.schema, Some(RefOr::T(Schema::Object(o)))
                if o.schema_type == SchemaType::Type(Type::Integer))
        })
        .map(|p| p.name.clone())
        .collect()
}

/// Registering API routes with their policy.
pub trait PolicyRoutes {
    /// `.routes(…)` for routes that `policy` guards: the operations' `security` and policy
    /// extensions are written from it.
    fn routes_with(self, routes: UtoipaMethodRouter<AppState>, policy: &'static Policy) -> Self;
}

impl PolicyRoutes for OpenApiRouter<AppState> {
    fn routes_with(
        self,
        (schemas, mut paths, method_router): UtoipaMethodRouter<AppState>,
        policy: &'static Policy,
    ) -> Self {
        let mut numbers = Vec::new();
        for item in paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                numbers.extend(number_params(op));
                op.security = policy.security();
                op.extensions
                    .get_or_insert_with(Default::default)
                    .merge(policy.extensions());
            }
        }
        self.routes((schemas, paths, guarded(method_router, policy, numbers)))
    }
}

/// The page route layer: puts the policy into the extensions and enforces a role policy (the
/// page's [`crate::web::WebUser`]: to the login page without one, 403 for a role or kind of
/// organisation the policy does not admit). The other pages' own extractors (`WebUser`,
/// `SessionUser`, the parents' `ParentWeb`) check the rest.
async fn enforce_page(policy: &'static Policy, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(RoutePolicy(policy));
    if policy.access == Access::Roles {
        let Some(state) = parts.extensions.get::<AppState>().cloned() else {
            return ApiError::internal("the application state is not in the request's extensions")
                .into_response();
        };
        if let Err(refused) = crate::web::session::enforce(&mut parts, &state, policy).await {
            return refused;
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// A page's method router behind its policy.
fn guarded_page(
    method_router: MethodRouter<AppState>,
    policy: &'static Policy,
) -> MethodRouter<AppState> {
    method_router.route_layer(from_fn(move |req: Request, next: Next| {
        enforce_page(policy, req, next)
    }))
}

/// One page route's declaration: method, path, policy.
#[derive(Debug, Clone, Copy)]
pub struct PageRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub policy: &'static Policy,
}

/// The pages' router: every route with its policy, and the list of them for the tests.
pub struct PageRoutes {
    router: Router<AppState>,
    policies: Vec<PageRoute>,
}

impl Default for PageRoutes {
    fn default() -> Self {
        PageRoutes::new()
    }
}

impl PageRoutes {
    pub fn new() -> PageRoutes {
        PageRoutes {
            router: Router::new(),
            policies: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        method_router: MethodRouter<AppState>,
        policy: &'static Policy,
    ) -> PageRoutes {
        self.router = self.router.route(path, guarded_page(method_router, policy));
        self.policies.push(PageRoute {
            method,
            path,
            policy,
        });
        self
    }

    /// `GET path` under `policy`.
    pub fn get<H, T>(self, path: &'static str, handler: H, policy: &'static Policy) -> PageRoutes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, axum::routing::get(handler), policy)
    }

    /// `POST path` under `policy`.
    pub fn post<H, T>(self, path: &'static str, handler: H, policy: &'static Policy) -> PageRoutes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, axum::routing::post(handler), policy)
    }

    /// Routes that serve public files (no pages), open to anyone.
    pub fn public_files(mut self, router: Router<AppState>) -> PageRoutes {
        self.router = self.router.merge(router);
        self
    }

    /// Another group of page routes.
    pub fn merge(mut self, other: PageRoutes) -> PageRoutes {
        self.router = self.router.merge(other.router);
        self.policies.extend(other.policies);
        self
    }

    /// A body limit over the routes so far (the beheerder's import pages).
    pub fn body_limit(mut self, limit: usize) -> PageRoutes {
        self.router = self
            .router
            .layer(axum::extract::DefaultBodyLimit::max(limit));
        self
    }

    /// The declared routes.
    pub fn policies(&self) -> &[PageRoute] {
        &self.policies
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
