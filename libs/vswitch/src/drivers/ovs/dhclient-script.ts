/**
 * The script poolnet's dhclient runs (`-sf`) instead of Debian's /sbin/dhclient-script: it sets
 * the leased IPv4 address and default route on the interface with iproute2 and nothing else.
 * Debian's script also rewrites /etc/resolv.conf from the lease, which would fight the resolver
 * poolnet writes from the log (the management interface's DNS servers), and, run in a network
 * namespace, would write the machine's own file. Variables are dhclient's (dhclient-script(8)).
 */
export const DHCLIENT_SCRIPT = `#!/bin/sh
# Written by the poolnet member host: sets the lease's address and default route only.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
prefix_of() { # dotted netmask -> prefix length
  bits=0
  for octet in $(echo "$1" | tr . ' '); do
    case $octet in
      255) bits=$((bits + 8)) ;; 254) bits=$((bits + 7)) ;; 252) bits=$((bits + 6)) ;;
      248) bits=$((bits + 5)) ;; 240) bits=$((bits + 4)) ;; 224) bits=$((bits + 3)) ;;
      192) bits=$((bits + 2)) ;; 128) bits=$((bits + 1)) ;;
    esac
  done
  echo $bits
}
drop_old() {
  [ -n "$old_ip_address" ] || return 0
  ip -4 addr del "$old_ip_address/$(prefix_of "$old_subnet_mask")" dev "$interface" 2>/dev/null
  return 0
}
case "$reason" in
  PREINIT)
    ip link set dev "$interface" up
    ;;
  BOUND|RENEW|REBIND|REBOOT)
    if [ "$old_ip_address" != "$new_ip_address" ]; then drop_old; fi
    lease=\${new_dhcp_lease_time:-forever}
    ip -4 addr replace "$new_ip_address/$(prefix_of "$new_subnet_mask")" \\
      \${new_broadcast_address:+broadcast "$new_broadcast_address"} dev "$interface" \\
      valid_lft "$lease" preferred_lft "$lease"
    for router in $new_routers; do
      ip -4 route replace default via "$router" dev "$interface"
      break
    done
    ;;
  EXPIRE|FAIL|RELEASE|STOP)
    drop_old
    ;;
  TIMEOUT)
    exit 1
    ;;
esac
exit 0
`;

/** What dhclient asks the server for: no DNS (poolnet's resolver comes from the log). */
export const DHCLIENT_CONF = 'request subnet-mask, broadcast-address, routers;\n';
