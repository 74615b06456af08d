//! YAML loading.

pub mod unsafe_yaml_load;
