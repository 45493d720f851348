package container

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// runtimeAPIHosts is where the Runtime API listeners of direct-mode
// containers bind (listen) and what their runtimes are told (advertise).
type runtimeAPIHosts struct {
	listen, advertise string
	how               string // how they were found, for the log
	err               error  // why there are none: direct mode cannot work
}

// RuntimeAPIHosts returns, for an image function in direct mode, the
// address of this host on Docker's bridge network as both listen and
// advertise host: containers reach it, other machines do not (a listener
// on 0.0.0.0 would expose every function's Runtime API to the network).
// On Docker Desktop, whose containers live in a VM that reaches the host's
// loopback as host.docker.internal, it is 127.0.0.1 and
// host.docker.internal. For a process function or an emulator-mode
// container it is "", "": the runner's default, loopback.
func (l *Launcher) RuntimeAPIHosts(fn invoke.Function) (listen, advertise string) {
	if fn.Image == "" {
		return "", ""
	}
	if mode, _ := l.modeOf(fn); mode != invoke.RuntimeAPIDirect {
		return "", ""
	}
	return l.hosts.listen, l.hosts.advertise
}

// detectHosts finds the runtime API hosts for the engine info describes.
func (l *Launcher) detectHosts(ctx context.Context, info system.Info) runtimeAPIHosts {
	if strings.Contains(info.OperatingSystem, "Docker Desktop") {
		return runtimeAPIHosts{listen: "127.0.0.1", advertise: "host.docker.internal", how: "Docker Desktop"}
	}
	nw, err := l.cli.NetworkInspect(ctx, "bridge", client.NetworkInspectOptions{})
	if err != nil {
		return runtimeAPIHosts{err: fmt.Errorf("no address of this host that containers reach: inspect the bridge network: %w", err)}
	}
	addr, how, err := bridgeGateway(nw.Network.Network, interfaceAddrs)
	if err != nil {
		return runtimeAPIHosts{err: fmt.Errorf("no address of this host that containers reach (a remote engine? use the emulator mode): %w", err)}
	}
	return runtimeAPIHosts{listen: addr.String(), advertise: addr.String(), how: how}
}

// bridgeGateway returns this host's IPv4 address on Docker's default
// bridge network n: its IPAM gateway, or else, since Debian's Docker 20.10
// leaves that empty, the address of the bridge's interface (docker0) in
// the network's subnet. addrs lists an interface's addresses.
func bridgeGateway(n network.Network, addrs func(iface string) ([]net.Addr, error)) (netip.Addr, string, error) {
	var subnets []netip.Prefix
	for _, c := range n.IPAM.Config {
		if c.Gateway.Is4() {
			return c.Gateway, "the bridge network's gateway", nil
		}
		if c.Subnet.Addr().Is4() {
			subnets = append(subnets, c.Subnet)
		}
	}
	name := n.Options["com.docker.network.bridge.name"]
	if name == "" {
		name = "docker0"
	}
	as, err := addrs(name)
	if err != nil {
		return netip.Addr{}, "", fmt.Errorf("the bridge network names no gateway, and its interface: %w", err)
	}
	for _, a := range as {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP.To4())
		if !ok {
			continue
		}
		if len(subnets) == 0 {
			return ip, "interface " + name, nil
		}
		for _, s := range subnets {
			if s.Contains(ip) {
				return ip, "interface " + name, nil
			}
		}
	}
	return netip.Addr{}, "", fmt.Errorf("the bridge network names no gateway, and interface %s has no IPv4 address in %v", name, subnets)
}

// interfaceAddrs returns the addresses of the network interface name.
func interfaceAddrs(name string) ([]net.Addr, error) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	return ifc.Addrs()
}
