// Package domain is klynge's shared vocabulary: the CPR number, citizens,
// hospital encounters and MedCom notifications, out-of-hours contacts,
// municipal care services and visits, GP referrals and practices.
//
// Connectors map their upstream's wire format to these types at their edge;
// pathway rules and resolvers work only with them. The package imports
// nothing of the project and knows nothing of HTTP, GraphQL or any wire
// format. Its values describe real people: never log them.
package domain
