# Passed to llama-cpp-python's build by scripts/install-test-deps (CMAKE_PROJECT_llama_cpp_INCLUDE):
# skip llama.cpp's "common" library (its command-line tools' helpers and an HTTP server),
# which the Python bindings do not use. Its CMakeLists forces the option ON, so it cannot be
# switched off with -D; a normal variable set right after project() wins. If this stops
# working, the build is only slower.
set(LLAMA_BUILD_COMMON OFF)
