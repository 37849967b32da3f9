pub mod machine;
pub mod routes;
pub mod service;
