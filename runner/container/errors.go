package container

import cerrdefs "github.com/containerd/errdefs"

// isNotFound reports whether the engine answered that the object (image,
// container, network) does not exist.
func isNotFound(err error) bool { return err != nil && cerrdefs.IsNotFound(err) }

// isConflict reports whether the engine refused an operation for the
// object's state, such as killing a container that no longer runs.
func isConflict(err error) bool { return err != nil && cerrdefs.IsConflict(err) }
