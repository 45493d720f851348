package container

// SetCgroupRoot makes l look for cgroups under root: a directory with none
// makes it measure memory from the engine's stats, as it does where the
// engine is not on this host.
func SetCgroupRoot(l *Launcher, root string) { l.cgroupRoot = root }
